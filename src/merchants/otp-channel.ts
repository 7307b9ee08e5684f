import { NO_OTP_CHANNEL_MESSAGE, otpChannelKind, type Config } from '../config.js';
import { t } from '../i18n/index.js';

/**
 * Where sign-in codes go. Real channels: the WhatsApp Cloud API authentication template and a generic SMS HTTP
 * provider. The console channel (embedded demo, development, `OTP_CONSOLE=1`) prints to the terminal only.
 * A channel never puts the code, the token or the provider's answer body in an error message: errors may be logged.
 */
export interface OtpChannel {
  readonly name?: string;
  send(phone: string, code: string): Promise<void>;
  /** How codes reach the merchant, in words for the start-up banner. */
  readonly description?: string;
}

/** The provider did not take the code; the message is safe to log (status only). */
export class OtpDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OtpDeliveryError';
  }
}

export const OTP_TTL_MINUTES = 10;

/** How codes arrive with the console channel, for the start-up banner. */
export const CONSOLE_OTP_DELIVERY = 'printed on this server’s terminal (console channel: for trials only)';

export interface WhatsAppOtpConfig {
  apiUrl: string;
  token: string;
  phoneNumberId: string;
  /** The approved authentication template (category AUTHENTICATION, one body parameter and a copy-code button). */
  template: string;
  /** The template's language code, e.g. `en` or `en_US`. */
  language: string;
}

export interface SmsOtpConfig {
  /** The provider's endpoint: `POST` JSON `{ "to", "text" }` with `Authorization: Bearer <token>`. */
  url: string;
  token: string;
}

async function post(url: string, token: string, body: unknown, timeoutMs: number, what: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const e = err as Error;
    throw new OtpDeliveryError(
      `${what}: ${
        e.name === 'TimeoutError' || e.name === 'AbortError'
          ? `timed out after \
${timeoutMs} ms`
          : 'request failed'
      }`,
    );
  }
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new OtpDeliveryError(`${what} answered ${res.status}`);
}

/** WhatsApp Cloud API authentication template: the code is the body parameter and the copy-code button's. */
export function whatsappOtpChannel(config: WhatsAppOtpConfig, opts: { timeoutMs?: number } = {}): OtpChannel {
  const endpoint = `${config.apiUrl.replace(/\/$/, '')}/${encodeURIComponent(config.phoneNumberId)}/messages`;
  return {
    name: 'whatsapp',
    description: 'sent by WhatsApp (authentication template)',
    async send(phone, code) {
      await post(
        endpoint,
        config.token,
        {
          messaging_product: 'whatsapp',
          to: phone.replace(/\D/g, ''),
          type: 'template',
          template: {
            name: config.template,
            language: { code: config.language },
            components: [
              { type: 'body', parameters: [{ type: 'text', text: code }] },
              { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: code }] },
            ],
          },
        },
        opts.timeoutMs ?? 10_000,
        'WhatsApp API',
      );
    },
  };
}

/** A generic SMS HTTP provider (most Indian SMS gateways take this shape, or a small adapter in front of them). */
export function smsOtpChannel(config: SmsOtpConfig, opts: { timeoutMs?: number; lang?: string } = {}): OtpChannel {
  return {
    name: 'sms',
    description: 'sent by SMS',
    async send(phone, code) {
      const text = t(opts.lang ?? 'en', 'auth.otpText', { code, minutes: OTP_TTL_MINUTES });
      await post(config.url, config.token, { to: phone, text }, opts.timeoutMs ?? 10_000, 'SMS provider');
    },
  };
}

/** Trials only: prints the code on the terminal (stderr), never into the structured log. */
export function consoleOtpChannel(write: (line: string) => void = (line) => process.stderr.write(line)): OtpChannel {
  return {
    name: 'console',
    description: CONSOLE_OTP_DELIVERY,
    async send(phone, code) {
      write(`\n*** OTP_CONSOLE (for trials only, never in production): sign-in code for ${phone}: ${code} ***\n\n`);
    },
  };
}

/**
 * The channel the configuration asks for (see `otpChannelKind`). Throws when there is none: a server must not
 * start without a way to deliver codes, nor fall back to one that leaks them.
 */
export function chooseOtpChannel(config: Config): OtpChannel {
  const kind = otpChannelKind(config);
  if (kind === 'sms') return smsOtpChannel({ url: config.otp.smsUrl!, token: config.otp.smsToken! });
  if (kind === 'whatsapp')
    return whatsappOtpChannel({
      ...config.whatsapp!,
      template: config.otp.whatsappTemplate,
      language: config.otp.whatsappLanguage,
    });
  if (kind === 'console') {
    process.stderr.write(
      '\n*** dukaan: sign-in codes are printed on this terminal (OTP_CONSOLE / embedded demo). ' +
        'This is for trials only: configure OTP_SMS_URL or the WhatsApp template before real use. ***\n\n',
    );
    return consoleOtpChannel();
  }
  throw new Error(NO_OTP_CHANNEL_MESSAGE);
}
