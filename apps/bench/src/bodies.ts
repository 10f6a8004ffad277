/** Canned execution bodies of realistic shape and size. */

export const IDS = {
  organizationId: '01f79c97-9a83-4194-b922-15b64fd7305e',
  actionId: '90c3e286-72b5-42ca-92d0-22f86ea8d766',
  actionVersion: '1.1.0',
  small: '022c61de-9bfc-4a94-8a9c-43c5f8ac153e',
  large: 'ba9c0735-c95c-4d92-84f1-d72599900552',
} as const;

function field(i: number, detailed: boolean) {
  const value = { value: `value ${i} ${'x'.repeat(i % 17)}` };
  if (!detailed) return value;
  return {
    ...value,
    confidenceScore: 60 + ((i * 7) % 40),
    geometry: { top: (i % 50) / 50, left: (i % 7) / 7, width: 0.12, height: 0.018 },
  };
}

function page(n: number, fieldsPerPage: number, rows: number, detailed: boolean) {
  const fields: Record<string, unknown> = {};
  for (let i = 0; i < fieldsPerPage; i++) fields[`field_${i}`] = field(n * 100 + i, detailed);
  const lineItems = Array.from({ length: rows }, (_, r) => ({
    description: field(r, detailed),
    quantity: field(r + 1, detailed),
    unitPrice: field(r + 2, detailed),
    amount: field(r + 3, detailed),
  }));
  return {
    page: n,
    fields,
    tables: { lineItems },
    prompts: { summary: { prompt: 'Summarise this page', source: 'llm', answer: field(n, detailed) } },
  };
}

/** ~2 KB, valueOnly=true: a one-page invoice. */
export function smallBody(): string {
  return JSON.stringify({
    id: IDS.small,
    documentName: 'invoice-2291.pdf',
    status: 'SUCCEEDED',
    pages: [page(1, 14, 6, false)],
  });
}

/** 150 pages with confidence and geometry (valueOnly=false): the largest realistic result. */
export function largeBody(): string {
  return JSON.stringify({
    id: IDS.large,
    documentName: 'contract-150p.pdf',
    status: 'SUCCEEDED',
    pages: Array.from({ length: 150 }, (_, i) => page(i + 1, 60, 16, true)),
  });
}
