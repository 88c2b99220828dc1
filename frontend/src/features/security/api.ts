// The two-factor sign-in endpoints (docs/api.md, "Two-factor sign-in") through the app's one client (its token
// handling, 401 -> refresh -> retry). The schema does not document them yet: hence the client's own calls, typed here.
import { api, type ApiClient } from "../../api/client";

/** Whether two-factor sign-in is on, since when, and how many unused recovery codes are left. */
export interface TwoFactorState {
  enabled: boolean;
  confirmed_at: string | null;
  recovery_codes_left: number;
}

/** A started enrolment: the shared secret, as an otpauth:// address and as a QR code (an SVG document). */
export interface Enrolment {
  secret: string;
  otpauth_uri: string;
  qr_svg: string;
}

/** The ten recovery codes, shown once: the server keeps only their hashes. */
export interface RecoveryCodes {
  recovery_codes: string[];
}

export const twoFactorKey = ["auth", "two-factor"] as const;

export const securityApi = (client: ApiClient = api) => ({
  state: () => client.get<TwoFactorState>("/api/auth/2fa/"),
  /** Starts (or starts over) an enrolment; it counts once a code from the app confirms it. */
  start: () => client.post<Enrolment>("/api/auth/2fa/totp/", {}),
  /** With the password too: an access token alone cannot put someone else's authenticator on the account. */
  confirm: (password: string, code: string) => client.post<RecoveryCodes>("/api/auth/2fa/totp/confirm/", { password, code }),
  /** `code`: from the app, or a recovery code. */
  disable: (password: string, code: string) => client.post<void>("/api/auth/2fa/totp/disable/", { password, code }),
  /** Ten new recovery codes; the old ones stop working. */
  renewRecoveryCodes: (password: string, code: string) => client.post<RecoveryCodes>("/api/auth/2fa/recovery-codes/", { password, code }),
});
