export { MIGRATIONS } from './migrations.js';
export {
  BatchStoreError,
  describeStore,
  openPostgresStore,
  type PostgresStoreOptions,
} from './postgres.js';
