/**
 * The rules of OpenAI's chat fine-tuning format (with function calling), checked one by one: the
 * errors of one row, empty when it is valid.
 */
const ROLES = new Set(['system', 'user', 'assistant', 'tool']);
const NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MESSAGE_KEYS = new Set(['role', 'content', 'tool_calls', 'tool_call_id', 'name', 'weight']);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function checkSchema(schema: unknown, where: string, errors: string[]): void {
  if (!isObject(schema)) return void errors.push(`${where}: a schema must be an object`);
  const t = schema['type'];
  const types = Array.isArray(t) ? t : t === undefined ? [] : [t];
  for (const x of types)
    if (!['object', 'array', 'string', 'number', 'integer', 'boolean', 'null'].includes(x as string))
      errors.push(`${where}: unknown type ${String(x)}`);
  if (schema['properties'] !== undefined) {
    if (!isObject(schema['properties'])) errors.push(`${where}: properties must be an object`);
    else for (const [k, v] of Object.entries(schema['properties'])) checkSchema(v, `${where}.${k}`, errors);
  }
  if (schema['required'] !== undefined) {
    const req = schema['required'];
    if (!Array.isArray(req) || req.some((r) => typeof r !== 'string'))
      errors.push(`${where}: required must list names`);
    else if (isObject(schema['properties']))
      for (const r of req)
        if (!(r in schema['properties'])) errors.push(`${where}: required ${r} not in properties`);
  }
  if (schema['items'] !== undefined) checkSchema(schema['items'], `${where}[]`, errors);
}

/** Whether `value` matches the inferred schema (types, required members, items). */
function matches(schema: Record<string, unknown>, value: unknown): boolean {
  const t = schema['type'];
  const types = (Array.isArray(t) ? t : t === undefined ? [] : [t]) as string[];
  const actual =
    value === null
      ? 'null'
      : Array.isArray(value)
        ? 'array'
        : typeof value === 'number'
          ? Number.isInteger(value)
            ? 'integer'
            : 'number'
          : typeof value;
  if (types.length > 0 && !types.includes(actual) && !(actual === 'integer' && types.includes('number')))
    return false;
  if (actual === 'object' && isObject(value)) {
    const props = (schema['properties'] ?? {}) as Record<string, Record<string, unknown>>;
    for (const r of (schema['required'] ?? []) as string[]) if (!(r in value)) return false;
    for (const [k, v] of Object.entries(value)) if (props[k] && !matches(props[k], v)) return false;
  }
  if (actual === 'array' && Array.isArray(value) && isObject(schema['items']))
    return value.every((v) => matches(schema['items'] as Record<string, unknown>, v));
  return true;
}

export function openAIRowErrors(row: unknown): string[] {
  const errors: string[] = [];
  if (!isObject(row)) return ['the row is not an object'];
  const messages = row['messages'];
  if (!Array.isArray(messages) || messages.length === 0) return ['messages must be a non-empty array'];
  const tools = row['tools'];
  const toolByName = new Map<string, Record<string, unknown>>();
  if (tools !== undefined) {
    if (!Array.isArray(tools)) errors.push('tools must be an array');
    else
      tools.forEach((t, i) => {
        if (!isObject(t) || t['type'] !== 'function' || !isObject(t['function']))
          return void errors.push(`tools[${i}] must be {type:"function", function:{…}}`);
        const f = t['function'];
        if (typeof f['name'] !== 'string' || !NAME.test(f['name'])) errors.push(`tools[${i}]: bad name`);
        if (toolByName.has(f['name'] as string)) errors.push(`tools[${i}]: duplicate name`);
        if (!isObject(f['parameters']) || f['parameters']['type'] !== 'object')
          errors.push(`tools[${i}]: parameters must be an object schema`);
        else checkSchema(f['parameters'], `tools[${i}].parameters`, errors);
        toolByName.set(f['name'] as string, (f['parameters'] ?? {}) as Record<string, unknown>);
      });
  }
  const open = new Set<string>(); // calls of the last assistant message not yet answered
  const allCalls = new Set<string>();
  let assistants = 0;
  let previous: string | undefined;
  messages.forEach((m, i) => {
    const at = `messages[${i}]`;
    if (!isObject(m)) return void errors.push(`${at} is not an object`);
    for (const k of Object.keys(m)) if (!MESSAGE_KEYS.has(k)) errors.push(`${at}: unknown key ${k}`);
    const role = m['role'];
    if (typeof role !== 'string' || !ROLES.has(role))
      return void errors.push(`${at}: bad role ${String(role)}`);
    if (role === 'system' && i !== 0) errors.push(`${at}: a system message only comes first`);
    if (role !== 'tool' && open.size > 0)
      errors.push(`${at}: calls ${[...open].join(',')} not answered before it`);
    if (role === 'tool') {
      const id = m['tool_call_id'];
      if (typeof id !== 'string' || !open.has(id))
        errors.push(`${at}: tool_call_id ${String(id)} answers no open call`);
      else open.delete(id);
      if (previous !== 'assistant' && previous !== 'tool')
        errors.push(`${at}: a tool message must follow its call`);
      if (typeof m['content'] !== 'string') errors.push(`${at}: tool content must be a string`);
    } else if (role === 'assistant') {
      assistants++;
      const calls = m['tool_calls'];
      if (calls !== undefined) {
        if (!Array.isArray(calls) || calls.length === 0)
          errors.push(`${at}: tool_calls must be a non-empty array`);
        else
          calls.forEach((c, j) => {
            const cat = `${at}.tool_calls[${j}]`;
            if (
              !isObject(c) ||
              c['type'] !== 'function' ||
              typeof c['id'] !== 'string' ||
              !isObject(c['function'])
            )
              return void errors.push(`${cat}: must be {id, type:"function", function}`);
            if (allCalls.has(c['id'])) errors.push(`${cat}: duplicate id`);
            allCalls.add(c['id']);
            open.add(c['id']);
            const f = c['function'];
            const name = f['name'];
            if (typeof name !== 'string' || !NAME.test(name)) errors.push(`${cat}: bad name`);
            else if (!toolByName.has(name)) errors.push(`${cat}: ${name} is not in tools`);
            if (typeof f['arguments'] !== 'string')
              return void errors.push(`${cat}: arguments must be a string`);
            let args: unknown;
            try {
              args = JSON.parse(f['arguments']);
            } catch {
              return void errors.push(`${cat}: arguments are not JSON`);
            }
            if (!isObject(args)) errors.push(`${cat}: arguments must be a JSON object`);
            else if (toolByName.has(name as string) && !matches(toolByName.get(name as string)!, args))
              errors.push(`${cat}: arguments do not match the tool's schema`);
          });
        if (m['content'] !== null && typeof m['content'] !== 'string') errors.push(`${at}: bad content`);
      } else if (typeof m['content'] !== 'string' || m['content'] === '')
        errors.push(`${at}: an assistant message without calls needs text`);
    } else if (typeof m['content'] !== 'string') errors.push(`${at}: content must be a string`);
    if (role !== 'tool' && m['tool_call_id'] !== undefined)
      errors.push(`${at}: tool_call_id only on tool messages`);
    previous = role;
  });
  if (open.size > 0) errors.push(`calls ${[...open].join(',')} never answered`);
  if (assistants === 0) errors.push('no assistant message to learn from');
  return errors;
}
