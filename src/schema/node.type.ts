import "reflect-metadata";
import { Field, ID, InterfaceType } from "type-graphql";

@InterfaceType({ description: "An object with a global ID (base64 of `Type:id`), fetchable with `node(id)`." })
export abstract class Node {
  @Field(() => ID)
  id!: string;
}
