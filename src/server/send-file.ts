// Files from a folder over HTTP with @fastify/send (ranges, conditional GET, HEAD, ETag): what Express's
// sendFile/static did before. The callers confine the path first; `send` checks the path again for dot
// segments (dotfiles: "deny") below the root it is given.
import send from "@fastify/send";
import type { FastifyReply, FastifyRequest } from "fastify";

/** 404 in plain text, as inert as Express's was; a Cache-Control set for the file is dropped (it may exist later) */
export function notFound(reply: FastifyReply): FastifyReply {
  reply.removeHeader("cache-control");
  return reply
    .code(404)
    .header("Content-Security-Policy", "default-src 'none'")
    .header("X-Content-Type-Options", "nosniff")
    .type("text/plain; charset=utf-8")
    .send("not found");
}

/**
 * Sends `relativePath` (URL-encoded, below `root`); answers "not found" when send refuses it or it is no
 * file. Cache-Control is the caller's (send's own is off).
 */
export async function sendFile(
  request: FastifyRequest,
  reply: FastifyReply,
  relativePath: string,
  options: { root: string; index?: string },
): Promise<FastifyReply> {
  const result = await send(request.raw, relativePath, {
    root: options.root,
    index: options.index ?? false,
    dotfiles: "deny",
    cacheControl: false,
  });
  if (result.type !== "file") {
    result.stream.destroy();
    return notFound(reply);
  }
  return reply.code(result.statusCode).headers(result.headers).send(result.stream);
}
