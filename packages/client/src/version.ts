// The build (tsup `define`) replaces __IDP_KIT_VERSION__ with the package's version; run from source
// (tests) it is absent. Reading package.json at run time would inline the whole manifest into the bundle.
declare const __IDP_KIT_VERSION__: string | undefined;

/** This package's version, as built. */
export const VERSION: string = typeof __IDP_KIT_VERSION__ === 'string' ? __IDP_KIT_VERSION__ : '0.0.0-dev';
