export * from "./protocol/primitives/index.js";
