import { defineConfig, type Plugin } from 'vite';

/**
 * One self-contained file: the script and the styles are inlined into `page.html`, so the same page
 * serves from `idp view` and opens from disk as a static export (no CDN, no other request).
 */
function inlineEverything(): Plugin {
  return {
    name: 'idp-inline-everything',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const html = Object.values(bundle).find((f) => f.fileName.endsWith('.html'));
      if (html?.type !== 'asset') throw new Error('no HTML in the bundle');
      let text = String(html.source);
      for (const file of Object.values(bundle)) {
        if (file.type === 'chunk') {
          // `</script` inside the code would end the element; `<\/script` means the same to JS.
          const code = file.code.replace(/<\/script/gi, '<\\/script');
          text = text.replace(
            new RegExp(`<script type="module" crossorigin src="[^"]*${file.fileName}"></script>`),
            () => `<script type="module" nonce="IDP_NONCE">${code}</script>`,
          );
          delete bundle[file.fileName];
        } else if (file.fileName.endsWith('.css')) {
          text = text.replace(
            new RegExp(`<link rel="stylesheet" crossorigin href="[^"]*${file.fileName}">`),
            () => `<style>${String(file.source)}</style>`,
          );
          delete bundle[file.fileName];
        }
      }
      if (/<script[^>]+src=|<link[^>]+href="(?!data:)/.test(text)) throw new Error('a file was not inlined');
      delete bundle[html.fileName];
      this.emitFile({ type: 'asset', fileName: 'page.html', source: text });
    },
  };
}

export default defineConfig({
  root: 'page',
  base: './',
  logLevel: 'warn',
  build: {
    outDir: '../dist',
    emptyOutDir: false,
    target: 'es2022',
    assetsInlineLimit: Number.MAX_SAFE_INTEGER,
    modulePreload: false,
    cssCodeSplit: false,
    rolldownOptions: { output: { codeSplitting: false } },
  },
  plugins: [inlineEverything()],
});
