/**
 * Unknown-field detection on top of the `kubernetes-models` validators, which ignore fields their schema does not
 * name. The object is validated through a Proxy that records every property the compiled validator reads; an
 * own property of a checked object that the validator never looked at is not in the schema.
 *
 * An object the validator never touched at all is free-form in its schema (e.g. preserve-unknown-fields) and is
 * skipped; an object whose keys the validator enumerated is a map (labels, data) and every key is known.
 */
interface Access {
  read: Set<string>;
  enumerated: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

const track = (target: unknown, accesses: WeakMap<object, Access>, cache: WeakMap<object, object>): unknown => {
  if (!isObject(target)) return target;
  const cached = cache.get(target);
  if (cached) return cached;
  const access = (): Access => {
    let a = accesses.get(target);
    if (!a) {
      a = { read: new Set(), enumerated: false };
      accesses.set(target, a);
    }
    return a;
  };
  const proxy = new Proxy(target, {
    get(t, key, receiver) {
      if (typeof key === 'string') access().read.add(key);
      return track(Reflect.get(t, key, receiver), accesses, cache);
    },
    has(t, key) {
      if (typeof key === 'string') access().read.add(key);
      return Reflect.has(t, key);
    },
    ownKeys(t) {
      access().enumerated = true;
      return Reflect.ownKeys(t);
    },
    getOwnPropertyDescriptor(t, key) {
      if (typeof key === 'string') access().read.add(key);
      return Reflect.getOwnPropertyDescriptor(t, key);
    },
  });
  cache.set(target, proxy);
  return proxy;
};

/**
 * Runs `validate` on a tracking view of `value` and returns the JSON paths of fields the validator never read.
 * `validate` may throw (schema errors); the error propagates.
 */
export const unknownFields = (value: unknown, validate: (tracked: unknown) => void): string[] => {
  const accesses = new WeakMap<object, Access>();
  validate(track(value, accesses, new WeakMap()));
  const unknown: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (!isObject(node)) return;
    if (Array.isArray(node)) {
      for (const [i, item] of node.entries()) walk(item, `${path}[${i}]`);
      return;
    }
    const access = accesses.get(node);
    if (!access) return;
    for (const key of Object.keys(node)) {
      if (!access.enumerated && !access.read.has(key)) unknown.push(`${path}.${key}`);
      else walk(node[key], `${path}.${key}`);
    }
  };
  walk(value, '');
  return unknown.map((p) => p.replace(/^\./, ''));
};
