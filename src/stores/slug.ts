/** Words a store slug may not take: they are, or may become, paths of the platform itself. */
export const RESERVED_SLUGS = new Set([
  'api',
  'dashboard',
  'admin',
  'static',
  'assets',
  'app',
  'www',
  'login',
  'logout',
  'signin',
  'signup',
  'auth',
  'account',
  'accounts',
  'help',
  'support',
  'docs',
  'status',
  'healthz',
  'readyz',
  'metrics',
  'orders',
  'order',
  'cart',
  'carts',
  'checkout',
  'stores',
  'store',
  'settings',
  'billing',
  'about',
  'terms',
  'privacy',
  'blog',
  'media',
  'uploads',
  'files',
  'images',
  'img',
  'css',
  'js',
  'favicon',
  'robots',
  'sitemap',
  'dukaan',
  'new',
  'mail',
  'email',
  'ftp',
  'cdn',
  'track',
  'tracking',
  'pay',
  'payments',
  'webhooks',
  'graphql',
  'openapi',
]);

/** A slug made from free text: lower case ASCII letters and digits joined by single dashes. */
export function slugify(text: string, maxLength = 40): string {
  const base = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maxLength)
    .replace(/-+$/g, '');
  return base;
}

/** The store slug derived from a name: padded when too short, moved off reserved words. */
export function slugFromStoreName(name: string): string {
  let slug = slugify(name, 34);
  if (slug.length < 3) slug = slug ? `${slug}-shop` : 'shop';
  if (RESERVED_SLUGS.has(slug)) slug = `${slug}-shop`;
  return slug;
}
