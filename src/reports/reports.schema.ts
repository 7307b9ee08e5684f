import { Type, type Static } from 'typebox';
import { Money } from '../shared/schema.js';

const Count = Type.Integer({ minimum: 0 });
const Figures = { orders: Count, revenue: Money, averageOrder: Money, cancelled: Count };
const ProductFigures = Type.Object({ productId: Type.String(), name: Type.String(), quantity: Count, revenue: Money });

export const SalesQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ maxLength: 10, description: 'YYYY-MM-DD (default: 29 days before to)' })),
    to: Type.Optional(Type.String({ maxLength: 10, description: 'YYYY-MM-DD (default: today)' })),
  },
  { additionalProperties: false },
);

export const SalesReportSchema = Type.Object(
  {
    from: Type.String(),
    to: Type.String(),
    timeZone: Type.String(),
    currency: Type.String(),
    days: Type.Array(Type.Object({ date: Type.String(), ...Figures })),
    totals: Type.Object(Figures),
    topProducts: Type.Array(ProductFigures, { description: 'Top 10 by revenue' }),
    topProductsByQuantity: Type.Array(ProductFigures, { description: 'Top 10 by quantity' }),
    customers: Type.Object({ new: Count, returning: Count }),
  },
  { $id: 'SalesReport' },
);
export type SalesReport = Static<typeof SalesReportSchema>;

export const OrdersExportQuery = Type.Object(
  { from: SalesQuery.properties.from, to: SalesQuery.properties.to },
  { additionalProperties: false },
);
