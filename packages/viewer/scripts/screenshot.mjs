// Makes docs/images/viewer.png from the mock's own data: the bundled mock's example invoice (with
// confidence and geometry), drawn on a PDF whose text sits where the mock's geometry says, shown by
// `idp view --html` in Chromium. Run after `pnpm build`: node packages/viewer/scripts/screenshot.mjs
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'packages/cli/dist/bin.js');
const out = join(root, 'docs/images/viewer.png');
const ids = ['--action', '90c3e286-72b5-42ca-92d0-22f86ea8d766', '--version', '1.1.0'];
const executionId = '022c61de-9bfc-4a94-8a9c-43c5f8ac153e'; // the mock's example invoice

function run(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) =>
      code === 0 || code === 5 ? resolve(stdout) : reject(new Error(`${args[0]}: ${code} ${stderr}`)),
    );
  });
}

/** A one-page PDF with each value's text where its geometry (fractions of the page) puts it. */
function pdfFrom(execution) {
  const W = 612;
  const H = 792;
  const texts = [];
  const put = (text, left, top, height, size) => {
    const fontSize = size ?? Math.max(7, height * H * 0.8);
    const x = left * W;
    const y = H - (top + height) * H + height * H * 0.2;
    texts.push(
      `BT /F1 ${fontSize.toFixed(1)} Tf ${x.toFixed(1)} ${y.toFixed(1)} Td (${String(text).replace(/[()\\]/g, '\\$&')}) Tj ET`,
    );
  };
  const page = execution.pages[0];
  const cells = Object.values(page.tables ?? {})
    .flat()
    .flatMap((row) => Object.values(row));
  const answers = Object.values(page.prompts ?? {}).flatMap((p) => (p.answer ? [p.answer] : []));
  for (const v of [...Object.values(page.fields ?? {}), ...cells, ...answers]) {
    if (v.geometry && v.value) put(v.value, v.geometry.left, v.geometry.top, v.geometry.height);
  }
  // The words around the values, as on a printed invoice.
  put('INVOICE', 0.072, 0.14, 0.03, 20);
  put('Invoice no.', 0.5, 0.082, 0.018);
  put('Date', 0.5, 0.108, 0.018);
  put('Description', 0.071, 0.38, 0.017);
  put('Qty', 0.652, 0.38, 0.017);
  put('Amount', 0.811, 0.38, 0.017);
  put('Total due', 0.56, 0.804, 0.02);
  put('Payment terms:', 0.072, 0.84, 0.017);
  const stream = texts.join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${W} ${H}] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>`,
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) pdf += `${String(offset).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return pdf;
}

const dir = await mkdtemp(join(tmpdir(), 'idp-shot-'));
const mock = spawn(process.execPath, [bin, 'mock', '--port', '4791'], {
  env: { ...process.env, NO_COLOR: '1' },
});
try {
  await new Promise((resolve, reject) => {
    let seen = '';
    mock.stdout.on('data', (d) => {
      seen += d;
      if (/idp get /.test(seen)) resolve();
    });
    mock.on('close', () => reject(new Error(`the mock stopped: ${seen}`)));
  });
  const env = {
    IDP_BASE_URL: 'http://127.0.0.1:4791',
    IDP_TOKEN_URL: 'http://127.0.0.1:4791/accounts/api/v2/oauth2/token',
    IDP_ORG_ID: '01f79c97-9a83-4194-b922-15b64fd7305e',
    IDP_CLIENT_ID: 'mock-client',
    IDP_CLIENT_SECRET: 'mock-secret',
  };
  const execution = JSON.parse(
    await run(['get', ...ids, '--execution', executionId, '--confidence', '--json'], env),
  );
  const pdf = join(dir, 'invoice-2291.pdf');
  await writeFile(pdf, pdfFrom(execution));
  const html = join(dir, 'view.html');
  await run(['view', ...ids, '--execution', executionId, '--document', pdf, '--html', html], env);
  const browser = await chromium.launch({
    executablePath: process.env.IDP_TEST_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1060 }, deviceScaleFactor: 1 });
  await page.goto(`file://${html}`);
  await page.waitForSelector('.box');
  await page.screenshot({ path: out });
  await browser.close();
  console.log(`wrote ${out}`);
} finally {
  mock.kill('SIGINT');
  await rm(dir, { recursive: true, force: true });
}
