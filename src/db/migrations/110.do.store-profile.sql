-- The shop as a shopper sees it (issue 13, item 6), and where it delivers (item 12).
ALTER TABLE stores
  ADD COLUMN description text NOT NULL DEFAULT '',
  ADD COLUMN logo text,                                   -- an image URL from the store's uploads
  ADD COLUMN banner text,
  ADD COLUMN address jsonb,                               -- { line1, line2?, city, pincode } or null
  ADD COLUMN hours jsonb,                                 -- { "mon": [["09:00","21:00"]], ... } or null = always open
  ADD COLUMN time_zone text NOT NULL DEFAULT 'Asia/Kolkata',
  ADD COLUMN delivery_areas jsonb NOT NULL DEFAULT '[]';  -- [{ "pincodePrefix": "4110", "fee"?: 2500 }]; [] = everywhere
