import { parser } from '@prometheus-io/lezer-promql';

/**
 * The metric names a PromQL expression selects, read from the parse tree of Prometheus' own Lezer grammar (the
 * one its web UI uses): the Identifier of every VectorSelector. Label names, functions and keywords are other
 * node types, so none is mistaken for a metric.
 */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  const tree = parser.parse(expr);
  tree.iterate({
    enter(node) {
      if (node.name !== 'VectorSelector') return;
      const identifier = node.node.getChild('Identifier');
      if (identifier) names.add(expr.slice(identifier.from, identifier.to));
    },
  });
  return [...names];
}
