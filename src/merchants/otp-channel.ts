import type { FastifyBaseLogger } from 'fastify';

/** Where sign-in codes go. The console channel (development) writes them to the server log. */
export interface OtpChannel {
  send(phone: string, code: string): Promise<void>;
  /** How codes reach the merchant, in words for the start-up banner. */
  readonly description?: string;
}

export const CONSOLE_OTP_DELIVERY = 'written to this server’s log (no SMS or WhatsApp sender for codes is set up)';

export function consoleOtpChannel(log: FastifyBaseLogger): OtpChannel {
  return {
    description: CONSOLE_OTP_DELIVERY,
    async send(phone, code) {
      log.info({ phone, otp: code }, `sign-in code for ${phone}: ${code}`);
    },
  };
}
