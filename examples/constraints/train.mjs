// A stand-in for a training run: a model mixing two data sources with weights x0 and x1 (their sum may not pass 1)
// and `layers` layers. It prints accuracy and latency in Katib's StdOut format; the experiment's derived metric
// `score` trades them off. It refuses weights that sum past 1, as a real mixing step would.
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, Number(v)];
  }),
);
const { x0, x1, layers } = args;
if (x0 + x1 > 1 + 1e-12) {
  console.error(`weights x0=${x0} and x1=${x1} sum past 1`);
  process.exit(3);
}
// Best accuracy near x0 = 0.6, x1 = 0.4 with more layers; each layer costs latency.
const accuracy = 0.95 - (x0 - 0.6) ** 2 - (x1 - 0.4) ** 2 - 0.2 / layers;
const latencyMs = 2 + 1.5 * layers;
console.log(`accuracy=${accuracy.toFixed(6)}`);
console.log(`latency_ms=${latencyMs.toFixed(3)}`);
