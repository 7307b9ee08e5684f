-- Columns that several second-round features read and write (search, bills, imports, WhatsApp ordering,
-- language); added once here so each feature builds on the same names.
ALTER TABLE products
  ADD COLUMN search_terms text[] NOT NULL DEFAULT '{}', -- extra words a search matches ("doodh", "दूध"), never shown
  ADD COLUMN hsn text;                                  -- HSN code for GST bills, optional
ALTER TABLE orders
  ADD COLUMN source text NOT NULL DEFAULT 'web' CHECK (source IN ('web', 'api', 'whatsapp')),
  ADD COLUMN lang text NOT NULL DEFAULT 'en';           -- the language the customer ordered in: their messages use it
ALTER TABLE stores
  ADD COLUMN default_language text NOT NULL DEFAULT 'en',
  ADD COLUMN gstin text;
ALTER TABLE merchants
  ADD COLUMN lang text;                                 -- the owner's dashboard language; null = by the request
