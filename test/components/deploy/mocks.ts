// Pulumi mocks that record every registered resource, plus a transformation that records each
// resource's type, name, parent and dependsOn (the mock monitor never sees dependsOn).

import * as pulumi from "@pulumi/pulumi";

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

export interface Declared {
  type: string;
  name: string;
  parent?: string;
  dependsOn: string[];
  additionalSecretOutputs?: string[];
}

export const registered: Registered[] = [];
export const declared: Declared[] = [];
const names = new Map<pulumi.Resource, string>();
const pending: { resource: pulumi.Resource; opts: pulumi.ResourceOptions; decl: Declared }[] = [];

/** What the mock returns as a resource's outputs beyond its inputs, by resource name. */
export const extraState = new Map<string, Record<string, unknown>>();

pulumi.runtime.setMocks(
  {
    newResource(args) {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      return {
        id: `${args.name}-id`,
        state: { ...args.inputs, ...(extraState.get(args.name) ?? {}) },
      };
    },
    call(args) {
      return args.inputs;
    },
  },
  "django-deploy",
  "test",
  false,
  "organization",
);

/** Pass as `transformations` to the top-level components; children inherit it. */
export const record: pulumi.ResourceTransformation = ({ resource, type, name, opts }) => {
  names.set(resource, name);
  const decl: Declared = {
    type,
    name,
    dependsOn: [],
    additionalSecretOutputs: (opts as pulumi.CustomResourceOptions).additionalSecretOutputs,
  };
  declared.push(decl);
  pending.push({ resource, opts, decl });
  return undefined;
};

/** Resolves parent and dependsOn to names; call after every resource was constructed. */
export function resolveDeclared(): Declared[] {
  for (const { opts, decl } of pending) {
    decl.parent = opts.parent ? names.get(opts.parent) : undefined;
    const deps = (opts.dependsOn ?? []) as pulumi.Resource[];
    decl.dependsOn = (Array.isArray(deps) ? deps : [deps]).map((d) => names.get(d) ?? "?");
  }
  return declared;
}

export function valueOf<T>(output: pulumi.Input<T> | undefined): Promise<T> {
  return new Promise((resolve) => {
    pulumi.output(output as pulumi.Input<T>).apply((v) => {
      resolve(v as T);
      return v;
    });
  });
}

export function secretOf(output: pulumi.Input<unknown> | undefined): Promise<boolean> {
  return pulumi.isSecret(pulumi.output(output));
}

/** Waits until the mocks registered every resource of the given ones. */
export async function settled(resources: pulumi.Resource[]): Promise<void> {
  await Promise.all(resources.map((r) => valueOf(r.urn)));
}

export function inputsOf(name: string): Record<string, unknown> {
  const found = registered.filter((r) => r.name === name);
  if (found.length !== 1) throw new Error(`${found.length} resources named ${name}`);
  return found[0].inputs;
}
