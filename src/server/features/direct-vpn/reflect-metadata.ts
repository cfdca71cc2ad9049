/**
 * The three `Reflect` metadata functions tsyringe (a dependency of @peculiar/x509) insists
 * on at load time — the part of the reflect-metadata polyfill it uses, without adding that
 * package. Imported before @peculiar/x509 (hosted-pki.ts); installs nothing when a full
 * polyfill is already present.
 */

type Target = object;
type MetadataReflect = typeof Reflect & {
  getMetadata?: (key: unknown, target: Target) => unknown;
  getOwnMetadata?: (key: unknown, target: Target) => unknown;
  defineMetadata?: (key: unknown, value: unknown, target: Target) => void;
};

const reflect = Reflect as MetadataReflect;
if (!reflect.getMetadata) {
  const store = new WeakMap<Target, Map<unknown, unknown>>();
  reflect.defineMetadata = (key, value, target) => {
    const own = store.get(target) ?? new Map<unknown, unknown>();
    own.set(key, value);
    store.set(target, own);
  };
  reflect.getOwnMetadata = (key, target) => store.get(target)?.get(key);
  reflect.getMetadata = (key, target) => {
    for (let at: Target | null = target; at !== null; at = Object.getPrototypeOf(at) as Target | null) {
      const own = store.get(at);
      if (own?.has(key)) return own.get(key);
    }
    return undefined;
  };
}

export {};
