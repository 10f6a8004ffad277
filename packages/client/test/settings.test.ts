import { describe, expect, it } from 'vitest';
import { IDP_SETTINGS, readIdpSettings } from '../src/index.js';

describe('the IDP_* settings, read once for every tool', () => {
  it('the environment wins over .env; an empty value counts as unset; each source is named', () => {
    const read = readIdpSettings(
      { IDP_CLIENT_ID: 'from-env', IDP_ORG_ID: '', PATH: '/bin' },
      'IDP_CLIENT_ID=from-file\nIDP_ORG_ID=org-from-file\nIDP_CLIENT_SECRET=s3cret\nOTHER=x\n',
    );
    expect(read.env.IDP_CLIENT_ID).toBe('from-env');
    expect(read.env.IDP_ORG_ID).toBe('org-from-file');
    expect(read.env.PATH).toBe('/bin');
    expect(read.fromDotenv.sort()).toEqual(['IDP_CLIENT_SECRET', 'IDP_ORG_ID']);
    expect(read.sources).toMatchObject({
      IDP_CLIENT_ID: 'environment',
      IDP_ORG_ID: '.env',
      IDP_CLIENT_SECRET: '.env',
      IDP_BASE_URL: undefined,
    });
  });

  it('no .env: only the environment', () => {
    const read = readIdpSettings({ IDP_BASE_URL: 'http://127.0.0.1:4010' });
    expect(read.fromDotenv).toEqual([]);
    expect(read.sources.IDP_BASE_URL).toBe('environment');
  });

  it('one table: secrets have no flag, credentials and destinations are marked', () => {
    const names = IDP_SETTINGS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const s of IDP_SETTINGS.filter((s) => s.secret)) expect(s.flag).toBeUndefined();
    expect(IDP_SETTINGS.filter((s) => s.credential).map((s) => s.name)).toEqual([
      'IDP_CLIENT_ID',
      'IDP_CLIENT_SECRET',
      'IDP_USERNAME',
      'IDP_PASSWORD',
    ]);
    expect(IDP_SETTINGS.filter((s) => s.destination).map((s) => s.name)).toEqual([
      'IDP_REGION',
      'IDP_BASE_URL',
      'IDP_TOKEN_URL',
      'IDP_CONTROL_PLANE_URL',
    ]);
  });
});
