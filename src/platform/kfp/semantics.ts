/**
 * The rules of a KFP pipeline that its schema cannot express and the KFP compiler and backend enforce: the root is
 * a DAG, every task's component exists and is a DAG or names an executor that exists, task inputs come from
 * something that exists (the parent's inputs, a sibling task's declared outputs), required inputs are supplied,
 * DAG outputs select declared outputs of their tasks, artifacts declare their type, and the placeholders of a
 * container name declared inputs and outputs. Reads the document as the strict reader converted it (proto names).
 */
import type { Issue } from '../../common/issue.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const keys = (v: unknown): string[] => Object.keys(obj(v));

interface Component {
  readonly inputs: { readonly parameters: Obj; readonly artifacts: Obj };
  readonly outputs: { readonly parameters: Obj; readonly artifacts: Obj };
}

function component(spec: Obj): Component {
  const i = obj(spec.input_definitions);
  const o = obj(spec.output_definitions);
  return {
    inputs: { parameters: obj(i.parameters), artifacts: obj(i.artifacts) },
    outputs: { parameters: obj(o.parameters), artifacts: obj(o.artifacts) },
  };
}

/** Checks `spec` (a PipelineSpec with proto field names) against `deployment` (its PipelineDeploymentConfig). */
export function checkPipelineSemantics(spec: Obj, deployment: Obj): Issue[] {
  const issues: Issue[] = [];
  const issue = (path: string, message: string, fix?: string): void => {
    issues.push(fix === undefined ? { path, message } : { path, message, fix });
  };
  const components = obj(spec.components);
  const executors = obj(deployment.executors);
  // Which task inputs each component receives, for placeholders KFP resolves from task inputs (resources).
  const taskInputs = new Map<string, Set<string>[]>();

  for (const [name, raw] of Object.entries(components)) {
    const c = obj(raw);
    const at = `components.${name}`;
    if (c.dag === undefined && c.executor_label === undefined) issue(at, 'has neither a dag nor an executorLabel');
    if (typeof c.executor_label === 'string' && !(c.executor_label in executors)) {
      issue(
        `${at}.executorLabel`,
        `names executor '${c.executor_label}', which deploymentSpec.executors does not define`,
      );
    }
    checkArtifactTypes(c, at, issue);
  }
  const root = obj(spec.root);
  if (spec.root === undefined) issue('root', 'is missing: a pipeline needs its root DAG');
  else if (root.dag === undefined) issue('root', 'must be a dag');
  checkArtifactTypes(root, 'root', issue);

  const checkDag = (owner: Obj, at: string): void => {
    const dag = obj(owner.dag);
    const parent = component(owner);
    const tasks = obj(dag.tasks);
    const componentOf = (task: string): Component | undefined => {
      const ref = obj(obj(obj(tasks[task]).component_ref)).name;
      return typeof ref === 'string' && ref in components ? component(obj(components[ref])) : undefined;
    };
    for (const [taskName, rawTask] of Object.entries(tasks)) {
      const t = obj(rawTask);
      const tat = `${at}.dag.tasks.${taskName}`;
      const ref = obj(t.component_ref).name;
      if (typeof ref !== 'string' || ref === '') {
        issue(`${tat}.componentRef.name`, 'is missing');
        continue;
      }
      if (!(ref in components)) {
        issue(`${tat}.componentRef.name`, `names component '${ref}', which components does not define`);
        continue;
      }
      for (const dep of Array.isArray(t.dependent_tasks) ? t.dependent_tasks : []) {
        if (!(String(dep) in tasks))
          issue(`${tat}.dependentTasks`, `names task '${String(dep)}', which this DAG does not have`);
      }
      const inputs = obj(t.inputs);
      for (const [p, rawIn] of Object.entries(obj(inputs.parameters))) {
        const pin = obj(rawIn);
        const pat = `${tat}.inputs.parameters.${p}`;
        if (
          typeof pin.component_input_parameter === 'string' &&
          !(pin.component_input_parameter in parent.inputs.parameters)
        ) {
          issue(pat, `takes input parameter '${pin.component_input_parameter}', which ${at} does not declare`);
        }
        const out = obj(pin.task_output_parameter);
        if (pin.task_output_parameter !== undefined) {
          const producer = String(out.producer_task ?? '');
          const pc = producer in tasks ? componentOf(producer) : undefined;
          if (!(producer in tasks)) issue(pat, `takes the output of task '${producer}', which this DAG does not have`);
          else if (pc && !(String(out.output_parameter_key) in pc.outputs.parameters)) {
            issue(
              pat,
              `takes output parameter '${String(out.output_parameter_key)}' of task '${producer}', whose component does not declare it`,
            );
          }
        }
        const final = obj(pin.task_final_status);
        if (pin.task_final_status !== undefined && !(String(final.producer_task) in tasks)) {
          issue(pat, `takes the final status of task '${String(final.producer_task)}', which this DAG does not have`);
        }
      }
      for (const [a, rawIn] of Object.entries(obj(inputs.artifacts))) {
        const ain = obj(rawIn);
        const aat = `${tat}.inputs.artifacts.${a}`;
        if (
          typeof ain.component_input_artifact === 'string' &&
          !(ain.component_input_artifact in parent.inputs.artifacts)
        ) {
          issue(aat, `takes input artifact '${ain.component_input_artifact}', which ${at} does not declare`);
        }
        const out = obj(ain.task_output_artifact);
        if (ain.task_output_artifact !== undefined) {
          const producer = String(out.producer_task ?? '');
          const pc = producer in tasks ? componentOf(producer) : undefined;
          if (!(producer in tasks)) issue(aat, `takes an artifact of task '${producer}', which this DAG does not have`);
          else if (pc && !(String(out.output_artifact_key) in pc.outputs.artifacts)) {
            issue(
              aat,
              `takes output artifact '${String(out.output_artifact_key)}' of task '${producer}', whose component does not declare it`,
            );
          }
        }
      }
      // A loop's item input is supplied by its iterator, not by the task's inputs.
      const supplied = new Set([
        ...keys(inputs.parameters),
        ...keys(inputs.artifacts),
        ...[obj(t.parameter_iterator).item_input, obj(t.artifact_iterator).item_input].filter(
          (v): v is string => typeof v === 'string',
        ),
      ]);
      const target = component(obj(components[ref]));
      for (const [kind, defs] of [
        ['parameter', target.inputs.parameters],
        ['artifact', target.inputs.artifacts],
      ] as const) {
        for (const [name, rawDef] of Object.entries(defs)) {
          const def = obj(rawDef);
          if (def.is_optional === true || def.default_value !== undefined || supplied.has(name)) continue;
          issue(`${tat}.inputs`, `does not supply the required input ${kind} '${name}' of component '${ref}'`);
        }
      }
      const list = taskInputs.get(ref) ?? [];
      list.push(supplied);
      taskInputs.set(ref, list);
    }
    const cycle = dependencyCycle(tasks);
    if (cycle !== undefined) issue(`${at}.dag.tasks`, `tasks depend on one another in a cycle: ${cycle.join(' → ')}`);
    const outputs = obj(dag.outputs);
    for (const [key, rawSel] of Object.entries(obj(outputs.artifacts))) {
      for (const [i, s] of (Array.isArray(obj(rawSel).artifact_selectors)
        ? (obj(rawSel).artifact_selectors as unknown[])
        : []
      ).entries()) {
        const sel = obj(s);
        const producer = String(sel.producer_subtask ?? '');
        const pc = producer in tasks ? componentOf(producer) : undefined;
        const sat = `${at}.dag.outputs.artifacts.${key}.artifactSelectors[${i}]`;
        if (!(producer in tasks)) issue(sat, `selects from task '${producer}', which this DAG does not have`);
        else if (pc && !(String(sel.output_artifact_key) in pc.outputs.artifacts)) {
          issue(
            sat,
            `selects artifact '${String(sel.output_artifact_key)}' of task '${producer}', whose component does not declare it`,
          );
        }
      }
      if (!(key in component(owner).outputs.artifacts))
        issue(`${at}.dag.outputs.artifacts.${key}`, `is not declared in ${at}.outputDefinitions.artifacts`);
    }
    for (const [key, rawSel] of Object.entries(obj(outputs.parameters))) {
      const sel = obj(obj(rawSel).value_from_parameter);
      if (obj(rawSel).value_from_parameter === undefined) continue;
      const producer = String(sel.producer_subtask ?? '');
      const pc = producer in tasks ? componentOf(producer) : undefined;
      const sat = `${at}.dag.outputs.parameters.${key}`;
      if (!(producer in tasks)) issue(sat, `selects from task '${producer}', which this DAG does not have`);
      else if (pc && !(String(sel.output_parameter_key) in pc.outputs.parameters)) {
        issue(
          sat,
          `selects parameter '${String(sel.output_parameter_key)}' of task '${producer}', whose component does not declare it`,
        );
      }
    }
  };
  if (root.dag !== undefined) checkDag(root, 'root');
  for (const [name, c] of Object.entries(components))
    if (obj(c).dag !== undefined) checkDag(obj(c), `components.${name}`);

  for (const [name, raw] of Object.entries(components)) {
    const c = obj(raw);
    const label = c.executor_label;
    if (typeof label !== 'string' || !(label in executors)) continue;
    checkPlaceholders(
      obj(obj(executors[label]).container),
      component(c),
      taskInputs.get(name) ?? [],
      `deploymentSpec.executors.${label}.container`,
      issue,
    );
  }
  return issues;
}

/** The tasks each task waits for: its dependentTasks and the producers of its inputs. */
function upstream(task: Obj): string[] {
  const inputs = obj(task.inputs);
  const producers = [...Object.values(obj(inputs.parameters)), ...Object.values(obj(inputs.artifacts))].flatMap((i) => {
    const o = obj(i);
    return [
      obj(o.task_output_parameter).producer_task,
      obj(o.task_output_artifact).producer_task,
      obj(o.task_final_status).producer_task,
    ];
  });
  const deps = Array.isArray(task.dependent_tasks) ? task.dependent_tasks : [];
  return [...deps, ...producers].filter((p): p is string => typeof p === 'string');
}

/** A cycle among a DAG's tasks (KFP's compiler refuses one: nothing in it could start), or undefined. */
function dependencyCycle(tasks: Obj): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done' || !(name in tasks)) return undefined;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const dep of upstream(obj(tasks[name]))) {
      const found = visit(dep);
      if (found !== undefined) return found;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of Object.keys(tasks)) {
    const found = visit(name);
    if (found !== undefined) return found;
  }
  return undefined;
}

function checkArtifactTypes(c: Obj, at: string, issue: (path: string, message: string) => void): void {
  for (const side of ['input_definitions', 'output_definitions'] as const) {
    for (const [key, raw] of Object.entries(obj(obj(c[side]).artifacts))) {
      const t = obj(obj(raw).artifact_type);
      if (!t.schema_title && !t.instance_schema && !t.schema_uri) {
        issue(
          `${at}.${side === 'input_definitions' ? 'inputDefinitions' : 'outputDefinitions'}.artifacts.${key}.artifactType`,
          'must name a schema (schemaTitle such as system.Model)',
        );
      }
    }
  }
}

const placeholder = /\{\{\$\.(inputs|outputs)\.(parameters|artifacts)\['([^']*)'\]/g;

function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (typeof v === 'object' && v !== null) return Object.values(v).flatMap(strings);
  return [];
}

/**
 * A container placeholder must name something its component declares. KFP also resolves input parameters a task
 * supplies without declaring them (the SDK does so for resource fields given by pipeline channels), so an input
 * parameter supplied by every task of the component counts as declared.
 */
function checkPlaceholders(
  container: Obj,
  c: Component,
  supplied: readonly Set<string>[],
  at: string,
  issue: (path: string, message: string) => void,
): void {
  for (const field of ['command', 'args', 'resources'] as const) {
    for (const text of strings(container[field])) {
      for (const m of text.matchAll(placeholder)) {
        const [, side, kind, name] = m as unknown as [string, 'inputs' | 'outputs', 'parameters' | 'artifacts', string];
        const declared = name in c[side][kind];
        const fromTasks = side === 'inputs' && supplied.length > 0 && supplied.every((s) => s.has(name));
        if (!declared && !fromTasks)
          issue(
            `${at}.${field}`,
            `${m[0]}…}} names ${side === 'inputs' ? 'an input' : 'an output'} ${kind.slice(0, -1)} '${name}' the component does not declare`,
          );
      }
    }
  }
}
