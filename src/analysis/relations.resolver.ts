// Relations of result types, resolved by one generic field resolver: a result keeps the database id of its
// clip, scene or cue (undecorated field), and `relation(Type, "scene", "sceneId")` adds the GraphQL field
// `scene` that loads it through the request's DataLoaders. A null id (e.g. the scene of a per-minute arc
// point) gives null, so such a relation is declared nullable.
import "reflect-metadata";
import { Ctx, FieldResolver, Float, Resolver, Root, type ClassType } from "type-graphql";
import { Clip, Cue, Scene } from "../schema/model.types.js";
import type { GraphQLContext } from "../resolvers/context.js";
import { Evidence } from "./evidence.types.js";

const TARGETS = { clip: () => Clip, scene: () => Scene, cue: () => Cue } as const;
type Target = keyof typeof TARGETS;

/** the keys of T whose values are database ids (or null) */
type IdKey<T> = { [K in keyof T]-?: T[K] extends string | null ? K : never }[keyof T];

export interface RelationOptions {
  /** the field may be null (its id may be null); default false */
  nullable?: boolean;
  description?: string;
}

/**
 * A resolver class adding the field `field` (clip, scene or cue) to `type`, loaded by the id in `key`.
 * type-graphql matches a field resolver to its field by method name, so the method is named after the
 * field, and the decorators are applied to it as functions (the name is only known here).
 */
export function relation<T extends object>(
  type: ClassType<T>,
  field: Target,
  key: IdKey<T>,
  options: RelationOptions = {},
): ClassType {
  const name = `${type.name}${field[0]!.toUpperCase()}${field.slice(1)}Relation`;
  const Relation = { [name]: class {} }[name]!;
  async function load(root: T, ctx: GraphQLContext): Promise<Clip | Scene | Cue | null> {
    const id = root[key] as string | null;
    if (id === null) return null;
    return ctx.loaders[field].load(id);
  }
  Object.defineProperty(Relation.prototype, field, { value: load, writable: true, configurable: true });
  Root()(Relation.prototype, field, 0);
  Ctx()(Relation.prototype, field, 1);
  const descriptor = Object.getOwnPropertyDescriptor(Relation.prototype, field)!;
  FieldResolver(TARGETS[field], { nullable: options.nullable ?? false, description: options.description })(
    Relation.prototype,
    field,
    descriptor,
  );
  Resolver(() => type)(Relation);
  return Relation;
}

/** Evidence and its extensions (RetrievedScene): times of the quote, the keyframe's URL, scene and clip. */
export function evidenceFields<T extends Evidence>(type: ClassType<T>): ClassType[] {
  @Resolver(() => type)
  class EvidenceFields {
    @FieldResolver(() => Float, { description: "start of the quoted line (of the scene without a quote), seconds" })
    startTime(@Root() e: Evidence): number {
      return e.quoteStart ?? e.startTime;
    }

    @FieldResolver(() => Float, { description: "end of the quoted line (of the scene without a quote), seconds" })
    endTime(@Root() e: Evidence): number {
      return e.quoteEnd ?? e.endTime;
    }

    @FieldResolver(() => String, {
      nullable: true,
      description: "URL of the keyframe of the quoted line's shot (else the scene's first)",
    })
    keyframeUrl(@Root() e: Evidence, @Ctx() ctx: GraphQLContext): string | null {
      return e.keyframePath ? ctx.services.keyframeUrls.url(e.keyframePath, ctx.baseUrl) : null;
    }
  }
  return [EvidenceFields, relation<Evidence>(type, "scene", "sceneId"), relation<Evidence>(type, "clip", "clipId")];
}

export const EVIDENCE_RESOLVERS = evidenceFields(Evidence);
