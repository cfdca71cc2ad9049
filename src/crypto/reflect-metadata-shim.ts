/**
 * @peculiar/x509 2.x loads tsyringe, which refuses to load without the `reflect-metadata`
 * polyfill (it checks `Reflect.getMetadata`). x509 never reads constructor metadata itself,
 * so the three functions tsyringe calls, over a WeakMap, are enough — no extra dependency.
 * Imported (for its effect) by src/crypto/x509.ts before the library.
 */
type MetadataReflect = typeof Reflect & {
  getMetadata?: (key: unknown, target: object) => unknown;
  getOwnMetadata?: (key: unknown, target: object) => unknown;
  defineMetadata?: (key: unknown, value: unknown, target: object) => void;
};

const reflect = Reflect as MetadataReflect;
if (!reflect.getMetadata) {
  const store = new WeakMap<object, Map<unknown, unknown>>();
  const own = (key: unknown, target: object): unknown => store.get(target)?.get(key);
  reflect.getOwnMetadata = own;
  reflect.getMetadata = (key, target) => {
    for (let current: object | null = target; current !== null; current = Object.getPrototypeOf(current)) {
      const value = own(key, current);
      if (value !== undefined) return value;
    }
    return undefined;
  };
  reflect.defineMetadata = (key, value, target) => {
    const map = store.get(target) ?? new Map<unknown, unknown>();
    map.set(key, value);
    store.set(target, map);
  };
}
