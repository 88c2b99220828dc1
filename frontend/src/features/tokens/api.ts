// Personal access tokens (docs/api.md, "Personal access tokens"), through the app's one client (its token handling,
// 401 -> refresh -> retry). Typed here after the API contract until the schema documents these routes.
import { api, type ApiClient } from "../../api/client";

export type TokenScope = "tasks:read" | "tasks:write" | "webhooks:manage";

export interface AccessToken {
  id: number;
  name: string;
  /** The token's first characters ("tms_pat_Ab3x"), to tell tokens apart. */
  hint: string;
  scopes: TokenScope[];
  /** The one project the token sees, or null for all the account's. */
  project: number | null;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
}

/** `token` is shown once: the server keeps only a hash of it. */
export interface NewAccessToken extends AccessToken {
  token: string;
}

export interface TokenInput {
  name: string;
  scopes: TokenScope[];
  project: number | null;
  /** Null: the token never expires. */
  expires_in_days: number | null;
  /** The account's password: an access token alone cannot make a lasting one. */
  password: string;
}

export const tokenKeys = { list: ["access-tokens"] as const };

export const tokensApi = (client: ApiClient = api) => ({
  /** The live tokens, newest first (not paginated: at most 50). */
  list: () => client.get<AccessToken[]>("/api/auth/tokens/"),
  create: (input: TokenInput) => client.post<NewAccessToken>("/api/auth/tokens/", input),
  revoke: (token: AccessToken) => client.delete(`/api/auth/tokens/${token.id}/`),
});
