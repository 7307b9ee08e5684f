import type { FastifyBaseLogger } from 'fastify';

/** Where sign-in codes go. The console channel (development) writes them to the server log. */
export interface OtpChannel {
  send(phone: string, code: string): Promise<void>;
}

export function consoleOtpChannel(log: FastifyBaseLogger): OtpChannel {
  return {
    async send(phone, code) {
      log.info({ phone, otp: code }, `sign-in code for ${phone}: ${code}`);
    },
  };
}
