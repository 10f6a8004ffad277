import { rssAgainstDocuments } from './batch-rss.js';
console.table(await rssAgainstDocuments([Number(process.argv[2] ?? 50)]));
