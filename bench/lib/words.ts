/**
 * Word lists for product and store names. Names are built from them so that trigram search meets what it meets in a
 * real marketplace: many products sharing common words ("rice", "cotton"), a few rare ones.
 */

export const BRANDS = [
  'Sharma', 'Lakshmi', 'Ganesh', 'Krishna', 'Balaji', 'Shree', 'Annapurna', 'Sai', 'Durga', 'Om', 'Patel', 'Gupta',
  'Verma', 'Agarwal', 'Reddy', 'Nair', 'Iyer', 'Singh', 'Kumar', 'Joshi', 'Mehta', 'Desai', 'Kapoor', 'Malhotra',
  'Bharat', 'Desi', 'Ghar', 'Kisan', 'Gramin', 'Swadeshi', 'Mahalaxmi', 'Vinayak', 'Tirupati', 'Kaveri', 'Ganga',
  'Yamuna', 'Narmada', 'Himalaya', 'Sahyadri', 'Nilgiri', 'Konkan', 'Malabar', 'Deccan', 'Rajwadi', 'Shahi', 'Nawab',
  'Royal', 'Golden', 'Silver', 'Diamond', 'Pearl', 'Lotus', 'Peacock', 'Tiger', 'Elephant', 'Sunrise', 'Moonlight',
  'Rainbow', 'Monsoon', 'Basant',
];

export const ADJECTIVES = [
  'Organic', 'Fresh', 'Premium', 'Classic', 'Pure', 'Natural', 'Handmade', 'Homemade', 'Roasted', 'Spicy', 'Sweet',
  'Crunchy', 'Soft', 'Cotton', 'Silk', 'Khadi', 'Linen', 'Printed', 'Embroidered', 'Block-printed', 'Handloom',
  'Hand-painted', 'Brass', 'Copper', 'Steel', 'Clay', 'Bamboo', 'Wooden', 'Leather', 'Jute', 'Herbal', 'Ayurvedic',
  'Cold-pressed', 'Stone-ground', 'Unpolished', 'Aged', 'Long-grain', 'Instant', 'Masala', 'Salted', 'Roasted',
  'Baked', 'Frozen', 'Dried', 'Smoked', 'Tangy', 'Mild', 'Extra-hot', 'Light', 'Heavy', 'Mini', 'Jumbo', 'Family',
  'Travel', 'Festive', 'Wedding', 'Everyday', 'Kids', 'Vintage', 'Modern',
];

export const NOUNS = [
  'Rice', 'Basmati', 'Atta', 'Maida', 'Besan', 'Sooji', 'Poha', 'Dal', 'Toor', 'Moong', 'Chana', 'Rajma', 'Urad',
  'Masoor', 'Ghee', 'Oil', 'Mustard', 'Groundnut', 'Coconut', 'Jaggery', 'Sugar', 'Salt', 'Tea', 'Coffee', 'Biscuits',
  'Namkeen', 'Bhujia', 'Chakli', 'Mathri', 'Khakhra', 'Papad', 'Pickle', 'Achar', 'Chutney', 'Jam', 'Honey', 'Ladoo',
  'Barfi', 'Halwa', 'Peda', 'Rasgulla', 'Cashew', 'Almond', 'Pista', 'Raisin', 'Dates', 'Saffron', 'Cardamom',
  'Turmeric', 'Chilli', 'Cumin', 'Coriander', 'Garam', 'Hing', 'Pepper', 'Clove', 'Cinnamon', 'Paneer', 'Curd',
  'Lassi', 'Milk', 'Butter', 'Bread', 'Rusk', 'Noodles', 'Pasta', 'Oats', 'Muesli', 'Kurta', 'Kurti', 'Saree',
  'Dupatta', 'Lehenga', 'Sherwani', 'Dhoti', 'Lungi', 'Shirt', 'Tshirt', 'Jeans', 'Trousers', 'Pyjama', 'Shawl',
  'Stole', 'Scarf', 'Cap', 'Chappal', 'Sandals', 'Juttis', 'Kolhapuri', 'Bangles', 'Earrings', 'Jhumka', 'Necklace',
  'Anklet', 'Bindi', 'Kajal', 'Mehndi', 'Soap', 'Shampoo', 'Hair-oil', 'Facewash', 'Cream', 'Lotion', 'Toothpaste',
  'Agarbatti', 'Dhoop', 'Diya', 'Candle', 'Lamp', 'Thali', 'Lota', 'Kadhai', 'Tawa', 'Pressure-cooker', 'Handi',
  'Glass', 'Bottle', 'Tiffin', 'Bucket', 'Mug', 'Towel', 'Bedsheet', 'Pillow', 'Cushion', 'Curtain', 'Durrie',
  'Mat', 'Basket', 'Bag', 'Wallet', 'Purse', 'Notebook', 'Pen', 'Pencil', 'Crayons', 'Toy', 'Kite', 'Rakhi',
  'Charger', 'Cable', 'Earphones', 'Powerbank', 'Cover', 'Torch', 'Bulb', 'Fan', 'Extension', 'Battery',
];

export const QUALIFIERS = [
  'Classic', 'Special', 'Gold', 'Select', 'Royal', 'Lite', 'Plus', 'Max', 'Deluxe', 'Super', 'Value', 'Combo',
  'Gift Pack', 'Refill', 'Jar', 'Pouch', 'Box', 'Tin', 'Set', 'Pair',
];

export const CATEGORY_NAMES = [
  'Staples', 'Atta, Rice & Dal', 'Oil & Ghee', 'Masala & Spices', 'Snacks', 'Sweets', 'Dry Fruits', 'Dairy',
  'Bakery', 'Beverages', 'Breakfast', 'Pickles & Chutney', 'Personal Care', 'Home Care', 'Pooja Needs', 'Kitchenware',
  'Home Decor', 'Bed & Bath', 'Men', 'Women', 'Kids', 'Footwear', 'Jewellery', 'Accessories', 'Stationery', 'Toys',
  'Mobile Accessories', 'Electricals', 'Festive', 'Gifts', 'Combos', 'Offers', 'New Arrivals', 'Best Sellers',
];

export const DESCRIPTION_WORDS = [
  'fresh', 'quality', 'sourced', 'from', 'local', 'farmers', 'packed', 'with', 'care', 'for', 'your', 'family',
  'daily', 'use', 'best', 'taste', 'soft', 'durable', 'made', 'in', 'india', 'traditional', 'recipe', 'no',
  'preservatives', 'added', 'perfect', 'gift', 'festival', 'season', 'easy', 'to', 'clean', 'long', 'lasting',
  'comfortable', 'fit', 'bright', 'colours', 'value', 'pack', 'store', 'cool', 'dry', 'place', 'delivered',
  'same', 'day', 'near', 'you', 'handpicked', 'rich', 'aroma', 'authentic', 'flavour',
];

/** Variant name families: a product takes the first 1..5 names of one family (names are unique per product). */
export const VARIANT_FAMILIES: { unit: string; names: string[] }[] = [
  { unit: 'pack', names: ['250 g', '500 g', '1 kg', '2 kg', '5 kg'] },
  { unit: 'bottle', names: ['200 ml', '500 ml', '1 L', '2 L', '5 L'] },
  { unit: 'piece', names: ['S', 'M', 'L', 'XL', 'XXL'] },
  { unit: 'pack', names: ['Single', 'Pack of 2', 'Pack of 3', 'Pack of 6', 'Pack of 12'] },
  { unit: 'piece', names: ['Red', 'Blue', 'Green', 'Black', 'White'] },
];

export const STORE_WORDS = [
  'Kirana', 'Stores', 'Mart', 'Bazaar', 'Traders', 'Emporium', 'Collections', 'Boutique', 'Fashions', 'Sweets',
  'General Store', 'Provisions', 'Handicrafts', 'Electronics', 'Mobiles', 'Textiles', 'Creations', 'Enterprises',
];

/** Words a storefront search is run with: common enough to match, like what customers type. */
export const SEARCH_TERMS = [
  'rice', 'dal', 'ghee', 'oil', 'masala', 'tea', 'atta', 'kurta', 'saree', 'cotton', 'silk', 'organic', 'fresh',
  'premium', 'soap', 'pickle', 'honey', 'brass', 'lamp', 'chilli', 'namkeen', 'cashew', 'bag', 'mat', 'shirt',
];
