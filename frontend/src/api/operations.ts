// Calls typed by the OpenAPI schema (schema.d.ts): a path must be one the schema documents for that
// method, with its path parameters, query, headers and JSON body; the answer is the documented one.
// `tsc` (npm run build, tests/test_frontend_contract.py) refuses anything else.

import type { ApiClient } from "./client";
import type { paths } from "./schema";

type Method = "get" | "post" | "patch" | "delete";

/** The documented paths that take this method. */
export type PathsWith<M extends Method> = { [P in keyof paths]: paths[P][M] extends undefined ? never : P }[keyof paths];

type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type Json<T> = T extends { content: { "application/json": infer B } } ? B : undefined;
type Parameters<O> = O extends { parameters: infer X } ? X : Record<string, never>;
type Part<O, K extends string> = Parameters<O> extends { [key in K]?: infer X } ? X : undefined;

type Success<R> = R extends { 200: infer S } ? S : R extends { 201: infer S } ? S : R extends { 202: infer S } ? S : undefined;

/** The JSON answer of the operation's success status (undefined for 204). */
export type Answer<P extends keyof paths, M extends Method> = Operation<P, M> extends { responses: infer R } ? Json<Success<R>> : never;

/** The documented JSON request body (never when the operation takes none). */
export type Body<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { requestBody?: infer R } ? Json<NonNullable<R>> : never;

type PathOption<O> = undefined extends Part<O, "path"> ? { path?: never } : { path: Part<O, "path"> };
type BodyOption<O> = O extends { requestBody: infer R }
  ? { body: Json<R> }
  : O extends { requestBody?: infer R }
    ? { body?: Json<NonNullable<R>> }
    : object;
export type Options<P extends keyof paths, M extends Method> = PathOption<Operation<P, M>> &
  BodyOption<Operation<P, M>> & {
    query?: NonNullable<Part<Operation<P, M>, "query">>;
    header?: NonNullable<Part<Operation<P, M>, "header">>;
  };

type Args<P extends keyof paths, M extends Method> = object extends Options<P, M> ? [options?: Options<P, M>] : [options: Options<P, M>];

interface AnyOptions {
  path?: Record<string, string | number>;
  query?: Record<string, unknown>;
  header?: Record<string, string | undefined>;
  body?: unknown;
}

/** A documented path with its {parameters} filled in and the query appended (lists as a,b,c; empty values left out). */
export function url(template: string, options: AnyOptions = {}): string {
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = options.path?.[name];
    if (value === undefined) throw new Error(`${template}: no value for {${name}}`);
    return encodeURIComponent(String(value));
  });
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(options.query ?? {})) {
    if (value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) continue;
    params.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** The API's absolute `next` link, made relative to this origin. */
export function relative(link: string): string {
  const parsed = new URL(link, window.location.origin);
  return parsed.pathname + parsed.search;
}

function headers(options: AnyOptions): Record<string, string> | undefined {
  if (!options.header) return undefined;
  return Object.fromEntries(Object.entries(options.header).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** The documented operations, through one ApiClient (its token handling and 401 -> refresh -> retry). */
export function operations(client: ApiClient) {
  return {
    GET<P extends PathsWith<"get">>(path: P, ...[options]: Args<P, "get">): Promise<Answer<P, "get">> {
      return client.get(url(path, options as AnyOptions));
    },
    POST<P extends PathsWith<"post">>(path: P, ...[options]: Args<P, "post">): Promise<Answer<P, "post">> {
      const all = (options ?? {}) as AnyOptions;
      return client.post(url(path, all), all.body, headers(all));
    },
    PATCH<P extends PathsWith<"patch">>(path: P, ...[options]: Args<P, "patch">): Promise<Answer<P, "patch">> {
      const all = (options ?? {}) as AnyOptions;
      return client.patch(url(path, all), all.body, headers(all));
    },
    DELETE<P extends PathsWith<"delete">>(path: P, ...[options]: Args<P, "delete">): Promise<Answer<P, "delete">> {
      const all = (options ?? {}) as AnyOptions;
      return client.request("DELETE", url(path, all), all.body, headers(all));
    },
    /** The next page of a documented list: `link` must be that list's own `next` link. */
    next<P extends PathsWith<"get">>(path: P, link: string): Promise<Answer<P, "get">> {
      const target = relative(link);
      const pattern = new RegExp(`^${path.replace(/\{\w+\}/g, "[^/]+")}(\\?|$)`);
      if (!pattern.test(target)) throw new Error(`${link} is not a page of ${path}`);
      return client.get(target);
    },
  };
}
