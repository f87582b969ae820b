/**
 * The schemas' one entry to zod: zod/mini, its functional build (about a third of classic zod in a
 * bundle), with classic zod's English messages. zod/mini sets no locale of its own; like classic,
 * English becomes the default locale (when none is set) as the first schema is built. Only the English
 * locale is imported: 'zod/locales' would bring every language into a bundle.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/** A schema built on first use: a program that never parses such a document does not pay for it at import. */
export function lazy<T extends z.core.SomeType>(build: () => T): z.ZodMiniLazy<T> {
  return z.lazy(() => {
    if (!z.config().localeError) z.config(en()); // z.config() reads the settings; z.core.… would keep every locale
    return build();
  });
}
