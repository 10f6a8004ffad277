import { killResumeRerun, rssAgainstDocuments } from '/work/wt/results/apps/bench/src/batch-rss.ts';

console.table(await rssAgainstDocuments([Number(process.argv[2] ?? 50)]));
if (process.argv[3]) console.table(await killResumeRerun(Number(process.argv[3])));
