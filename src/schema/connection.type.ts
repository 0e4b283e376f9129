// Relay cursor connections: `edges { node cursor }`, `pageInfo`, `totalCount`, and `nodes` as a shortcut.
import "reflect-metadata";
import { Field, Int, ObjectType, type ClassType } from "type-graphql";
import { encodeCursor, type Page } from "../services/pagination.js";

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field()
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export interface Edge<T> {
  node: T;
  cursor: string;
}

export interface Connection<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: number;
}

export function ConnectionType<T extends object>(nodeType: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class EdgeClass {
    @Field(() => nodeType)
    node!: T;

    @Field({ description: "opaque; pass as `after` or `before`" })
    cursor!: string;
  }

  @ObjectType()
  abstract class ConnectionClass {
    @Field(() => [EdgeClass])
    edges!: EdgeClass[];

    @Field(() => [nodeType], { description: "the edges' nodes, for clients that need no cursors" })
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: "size of the whole filtered list, not of this page" })
    totalCount!: number;
  }
  return ConnectionClass;
}

/** A Page of rows mapped to GraphQL objects. */
export function toConnection<R, T>(page: Page<R>, map: (row: R) => T): Connection<T> {
  const nodes = page.nodes.map(map);
  const edges = nodes.map((node, i) => ({ node, cursor: encodeCursor(page.offset + i) }));
  return {
    edges,
    nodes,
    totalCount: page.totalCount,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
