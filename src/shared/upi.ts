import { minorToMajorString } from './money.js';

export interface UpiPaymentRequest {
  vpa: string;
  payeeName: string;
  /** integer minor units (paise) */
  amount: number;
  orderNumber: number;
}

/** Percent-encodes a query value; `@` stays literal (it is legal in a query and UPI apps expect `pa=name@bank`). */
function queryValue(value: string): string {
  return encodeURIComponent(value).replace(/%40/g, '@');
}

/** `upi://pay?pa=…&pn=…&am=123.45&cu=INR&tn=Order%2042` (NPCI deep-link parameters). */
export function upiUrl(req: UpiPaymentRequest): string {
  const params: [string, string][] = [
    ['pa', req.vpa],
    ['pn', req.payeeName],
    ['am', minorToMajorString(req.amount, 'INR')],
    ['cu', 'INR'],
    ['tn', `Order ${req.orderNumber}`],
  ];
  return `upi://pay?${params.map(([k, v]) => `${k}=${queryValue(v)}`).join('&')}`;
}

/** The link as a QR code, SVG text (scannable by every UPI app). */
export async function qrSvg(text: string): Promise<string> {
  // Loaded on first use, not with the app: most requests never draw a QR code.
  const { default: QRCode } = await import('qrcode');
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** The link as a QR code, PNG bytes: for WhatsApp image messages, which take JPEG or PNG (not SVG). */
export async function qrPng(text: string): Promise<Buffer> {
  const { default: QRCode } = await import('qrcode');
  return QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 480 });
}
