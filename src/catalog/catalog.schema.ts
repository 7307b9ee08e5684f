import { Type, type Static } from 'typebox';
import { Cursor, Limit, ListOf, Money, Nullable } from '../shared/schema.js';
import { DeliverySchema, profileFields } from '../stores/stores.schema.js';
import { MAX_STOCK } from '../inventory/limits.js';

export const MAX_VARIANTS = 100;
export const MAX_IMAGES = 10;

const PathId = Type.String({ maxLength: 100 });
const Stock = Type.Integer({ minimum: 0, maximum: MAX_STOCK });
const ProductName = Type.String({ minLength: 1, maxLength: 200 });
const VariantName = Type.String({ minLength: 1, maxLength: 100 });
const CategoryName = Type.String({ minLength: 1, maxLength: 100 });
const Position = Type.Integer({ minimum: 0, maximum: 1_000_000 });
const Sku = Type.String({ minLength: 1, maxLength: 64 });
const Unit = Type.String({ minLength: 1, maxLength: 40, description: 'What one unit is, e.g. "1 kg", "pack of 6"' });
const Description = Type.String({ maxLength: 5000 });
// An absolute http(s) URL or a path on this site; the service parses each one again.
const ImageUrl = Type.String({ minLength: 2, maxLength: 2000, pattern: '^(https?://[^\\s]+|/[^/\\s][^\\s]*)$' });
const Images = Type.Array(ImageUrl, { maxItems: MAX_IMAGES });
export const MAX_SEARCH_TERMS = 20;
const Hsn = Type.String({ pattern: '^[0-9]{4,8}$', description: 'HSN code for GST bills: 4 to 8 digits' });
const Pinned = Type.Boolean({ description: 'Pinned products come first in the storefront' });
const ProductPosition = Type.Integer({
  minimum: 0,
  maximum: 1_000_000,
  description: 'Lower first, after the pinned products and before those without a position (newest first)',
});
const SearchTerms = Type.Array(Type.String({ minLength: 1, maxLength: 50 }), {
  maxItems: MAX_SEARCH_TERMS,
  description: 'Extra words a search matches (other names, spellings, scripts: "doodh", "दूध"); never shown',
});

// ---------- categories ----------
export const CategorySchema = Type.Object(
  { id: Type.String(), name: Type.String(), slug: Type.String(), position: Type.Integer() },
  { $id: 'Category' },
);
export type Category = Static<typeof CategorySchema>;
export const CategoryListSchema = ListOf(CategorySchema);

export const CreateCategoryBody = Type.Object(
  { name: CategoryName, position: Type.Optional(Position) },
  { additionalProperties: false },
);
export type CreateCategoryInput = Static<typeof CreateCategoryBody>;

export const UpdateCategoryBody = Type.Object(
  { name: Type.Optional(CategoryName), position: Type.Optional(Position) },
  { additionalProperties: false },
);
export type UpdateCategoryInput = Static<typeof UpdateCategoryBody>;

// ---------- variants and products (merchant view) ----------
export const VariantSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    price: Type.Integer(),
    mrp: Nullable(Type.Integer()),
    stock: Nullable(Type.Integer({ description: 'null: not tracked (always available)' })),
    sku: Nullable(Type.String()),
  },
  { $id: 'Variant' },
);
export type Variant = Static<typeof VariantSchema>;

export const ProductSchema = Type.Object(
  {
    id: Type.String(),
    slug: Type.String(),
    name: Type.String(),
    description: Type.String(),
    categoryId: Nullable(Type.String()),
    unit: Nullable(Type.String()),
    images: Type.Array(Type.String()),
    isActive: Type.Boolean(),
    searchTerms: Type.Array(Type.String()),
    hsn: Nullable(Type.String()),
    pinned: Type.Boolean(),
    position: Nullable(Type.Integer()),
    price: Type.Integer({ description: 'Lowest variant price' }),
    variants: Type.Array(VariantSchema),
  },
  { $id: 'Product' },
);
export type Product = Static<typeof ProductSchema>;
export const ProductListSchema = ListOf(ProductSchema);

export const VariantInputBody = Type.Object(
  {
    name: VariantName,
    price: Money,
    mrp: Type.Optional(Nullable(Money)),
    stock: Type.Optional(Nullable(Stock)),
    sku: Type.Optional(Nullable(Sku)),
  },
  { additionalProperties: false },
);
export type VariantInput = Static<typeof VariantInputBody>;

export const CreateProductBody = Type.Object(
  {
    name: ProductName,
    description: Type.Optional(Description),
    categoryId: Type.Optional(Nullable(PathId)),
    price: Type.Optional(Money),
    mrp: Type.Optional(Nullable(Money)),
    stock: Type.Optional(Nullable(Stock)),
    sku: Type.Optional(Nullable(Sku)),
    unit: Type.Optional(Nullable(Unit)),
    images: Type.Optional(Images),
    isActive: Type.Optional(Type.Boolean()),
    searchTerms: Type.Optional(SearchTerms),
    hsn: Type.Optional(Nullable(Hsn)),
    pinned: Type.Optional(Pinned),
    position: Type.Optional(Nullable(ProductPosition)),
    variants: Type.Optional(Type.Array(VariantInputBody, { minItems: 1, maxItems: MAX_VARIANTS })),
  },
  { additionalProperties: false },
);
export type CreateProductInput = Static<typeof CreateProductBody>;

// Stock is not here on purpose: it changes only through POST /variants/{id}/stock (one atomic UPDATE).
export const UpdateProductBody = Type.Object(
  {
    name: Type.Optional(ProductName),
    description: Type.Optional(Description),
    categoryId: Type.Optional(Nullable(PathId)),
    unit: Type.Optional(Nullable(Unit)),
    images: Type.Optional(Images),
    isActive: Type.Optional(Type.Boolean()),
    searchTerms: Type.Optional(SearchTerms),
    hsn: Type.Optional(Nullable(Hsn)),
    pinned: Type.Optional(Pinned),
    position: Type.Optional(Nullable(ProductPosition)),
    price: Type.Optional(Money),
    mrp: Type.Optional(Nullable(Money)),
    sku: Type.Optional(Nullable(Sku)),
  },
  { additionalProperties: false },
);
export type UpdateProductInput = Static<typeof UpdateProductBody>;

export const UpdateVariantBody = Type.Object(
  {
    name: Type.Optional(VariantName),
    price: Type.Optional(Money),
    mrp: Type.Optional(Nullable(Money)),
    sku: Type.Optional(Nullable(Sku)),
  },
  { additionalProperties: false },
);
export type UpdateVariantInput = Static<typeof UpdateVariantBody>;

export const StockBody = Type.Object(
  {
    set: Type.Optional(Nullable(Stock)),
    adjust: Type.Optional(Type.Integer({ minimum: -MAX_STOCK, maximum: MAX_STOCK })),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    maxProperties: 1,
    description: 'Exactly one of `set` (a count, or null to stop tracking) and `adjust` (a signed change)',
  },
);
export const StockResponse = Type.Object({ stock: Nullable(Type.Integer()) });

export const ProductListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100 })),
  categoryId: Type.Optional(PathId),
  limit: Limit,
  cursor: Type.Optional(Cursor),
});

export const StoreParams = Type.Object({ storeId: PathId });
export const CategoryParams = Type.Object({ storeId: PathId, categoryId: PathId });
export const ProductParams = Type.Object({ storeId: PathId, productId: PathId });
export const VariantParams = Type.Object({ storeId: PathId, productId: PathId, variantId: PathId });
export const StockParams = Type.Object({ storeId: PathId, variantId: PathId });

// ---------- storefront (public) ----------
export const PublicStoreSchema = Type.Object(
  {
    slug: Type.String(),
    name: Type.String(),
    currency: Type.String(),
    whatsapp: Nullable(Type.String()),
    isOpen: Type.Boolean(),
    delivery: DeliverySchema,
    payments: Type.Object({ cod: Type.Boolean(), upi: Type.Boolean() }),
    ...profileFields,
    whatsappOrderUrl: Nullable(
      Type.String({
        description:
          '"Order on WhatsApp": wa.me link to the store\'s chat bot with the store code ("ORDER <slug>") as the ' +
          'first message; null when this server answers no chats or the store turned its bot off',
      }),
    ),
  },
  { $id: 'PublicStore' },
);
export type PublicStore = Static<typeof PublicStoreSchema>;

export const PublicVariantSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    price: Type.Integer(),
    mrp: Nullable(Type.Integer()),
    inStock: Type.Boolean(),
  },
  { $id: 'PublicVariant' },
);
export type PublicVariant = Static<typeof PublicVariantSchema>;

export const PublicProductSchema = Type.Object(
  {
    id: Type.String(),
    slug: Type.String(),
    name: Type.String(),
    description: Type.String(),
    categoryId: Nullable(Type.String()),
    unit: Nullable(Type.String()),
    images: Type.Array(Type.String()),
    price: Type.Integer({ description: 'Lowest variant price' }),
    inStock: Type.Boolean({ description: 'At least one variant can be bought' }),
    variants: Type.Array(PublicVariantSchema),
  },
  { $id: 'PublicProduct' },
);
export type PublicProduct = Static<typeof PublicProductSchema>;
export const PublicProductListSchema = ListOf(PublicProductSchema);

export const StorefrontParams = Type.Object({ slug: Type.String({ maxLength: 200 }) });
export const StorefrontProductParams = Type.Object({
  slug: Type.String({ maxLength: 200 }),
  productSlug: Type.String({ maxLength: 200 }),
});
export const StorefrontProductQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100 })),
  category: Type.Optional(Type.String({ maxLength: 100 })),
  limit: Limit,
  cursor: Type.Optional(Cursor),
});
