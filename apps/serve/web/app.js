// nabla playground: the page. Training runs on the server (nabla serve); this file keeps the
// controls, the URL hash and the session in sync, polls the state and draws it.
'use strict';

// ---- words: English and Spanish ----
const ACT = {
  en: { tanh: ['tanh', 'tanh(z)'], relu: ['ReLU', 'max(0, z)'], sigmoid: ['the sigmoid σ', '1 / (1 + e^(−z))'],
    linear: ['the identity', 'z'], leaky_relu: ['leaky ReLU', 'max(0.01·z, z)'] },
  es: { tanh: ['tanh', 'tanh(z)'], relu: ['ReLU', 'max(0, z)'], sigmoid: ['la sigmoide σ', '1 / (1 + e^(−z))'],
    linear: ['la identidad', 'z'], leaky_relu: ['leaky ReLU', 'max(0,01·z, z)'] },
};

const T = {
  en: {
    playground: 'playground', reset: 'Reset', play: 'Play', pause: 'Pause', step: 'Step one epoch', epoch: 'Epoch',
    steps: 'steps/s', lr: 'Learning rate', optimizer: 'Optimizer', momentum: 'Momentum', loss: 'Loss',
    bce: 'Cross-entropy', mse: 'Squared error', regularization: 'Regularization', none: 'None',
    regrate: 'Regularization rate', dropout: 'Dropout', data: 'Data', whichdata: 'Which dataset?',
    classification: 'Classification', regression: 'Regression', yourdata: 'Your points', upload: 'upload',
    csvhelp: 'x1,x2,label per line (header optional), up to 10 000 points, 1 MB. Labels: up to 8 integers or words are classes, other numbers a regression.',
    csvstatus: (name, n, task, k) => `${name}: ${n} points, ${task === 'regression' ? 'regression' : `${k} classes`} (coordinates rescaled to [−1, 1])`,
    csvmissing: 'The uploaded CSV is not kept in this tab any more: upload it again.',
    csvtoobig: 'The file is larger than 1 MB.',
    classes: 'Classes', ratio: 'Ratio of training to test data', noise: 'Noise', batch: 'Batch size', points: 'Points',
    regenerate: 'Regenerate', features: 'Features', export: 'Export', exportmodel: 'model.safetensors',
    exportconfig: 'nabla train config (TOML)', exportpoints: 'points.csv', addlayer: 'Add a layer', removelayer: 'Remove a layer',
    hiddenlayers: n => `${n} hidden layer${n === 1 ? '' : 's'}`, neurons: n => `${n} neuron${n === 1 ? '' : 's'}`,
    edithint: 'Hover a neuron or a link to see what it computes; click to pin the card and edit its weights and bias.',
    output: 'Output', testloss: 'Test loss', trainloss: 'Training loss', testacc: 'Test accuracy',
    trainacc: 'Training accuracy', showtest: 'Show test data', discretize: 'Discretize output', gradnorms: 'Gradient norm per layer',
    stepthrough: 'Backprop step-through',
    stephelp: "One training point through the network: forward (z, a), backward (δ = ∂C/∂z = ∂C/∂a · da/dz, where ∂C/∂a = Σₖ wₖⱼ δₖ sums what the next layer sends back; ∂C/∂w = δ·a), all from nabla's autograd, then one update.",
    sample: 'Training point', runstep: 'Step through', layer: 'Layer', neuron: 'Neuron', target: 'target',
    output_: 'output', lossbefore: 'loss before', lossafter: 'loss after the update', chain: 'δ = ∂C/∂a · da/dz',
    circle: 'circle', xor: 'xor', gaussian: 'gaussian', spiral: 'spiral', moons: 'moons', blobs: 'blobs',
    plane: 'plane', 'multi-gaussian': 'multi-gaussian', activation: 'Activation', class: 'class',
    hiddentitle: (l, j) => `Hidden layer ${l}, neuron ${j}`, outputtitle: 'Output neuron',
    classtitle: c => `Output: class ${c}`, inputtitle: f => `Input ${f}`, linktitle: (f, t) => `Weight from ${f} to ${t}`,
    neuronname: (l, j) => `neuron ${j} of hidden layer ${l}`, outputname: 'the output neuron', bias: 'bias b',
    weight: 'weight w', pinhint: 'Click to pin this card and edit; Esc closes it.', layerlabel: l => `layer ${l}`,
    inputs: l => l === 0 ? 'the input features' : `the outputs of hidden layer ${l}`,
    sum: (list, act) => `It multiplies each of its inputs (${list}) by its weight and adds its bias b: that sum is z. Then ${ACT.en[act][0]} turns z into its output a = ${ACT.en[act][1]}.`,
    colour: {
      tanh: 'Its heatmap shows a at every point of the plane: blue where a is near +1, orange near −1, white where z ≈ 0.',
      sigmoid: 'Its heatmap shows a at every point of the plane: a lies between 0 and 1, white where a ≈ 0 and blue where a ≈ 1 (a = ½ where z = 0).',
      relu: 'Its heatmap shows a at every point of the plane: white where the neuron is off (z ≤ 0, so a = 0), blue where it fires, darker as z grows.',
      leaky_relu: 'Its heatmap shows a at every point of the plane: like ReLU, white-to-blue where it fires, but where z < 0 it lets 0.01·z through (a faint orange).',
      linear: 'Its heatmap shows a = z at every point of the plane: blue where z > 0, orange where z < 0, white along z = 0.',
    },
    straight: 'Since z is a weighted sum of x₁ and x₂, the points where z = 0 form a straight line: this neuron cuts the plane in two along it, and its colour says on which side a point lies.',
    curved: list => `Since it also reads ${list}, the curve z = 0 can bend (a circle, with x₁² and x₂²).`,
    deeper: (n, l) => `It reads the ${n} neuron${n === 1 ? '' : 's'} of hidden layer ${l}, so its heatmap is a weighted mix of theirs (hover them to compare): blue where the neurons with positive weights are active, orange where those with negative weights are. Mixing such regions is how a deeper layer draws curved boundaries.`,
    strongest: (w, f) => `Its largest weight in absolute value is ${w}, on ${f}: it reacts most to that input.`,
    outbinary: list => `This is the output neuron: z is the weighted sum of ${list} plus the bias, and p = σ(z) is the network's probability that a point is of class 1 (blue). Its heatmap is the big picture on the right: blue where p > ½, orange where p < ½; the decision boundary is where z = 0.`,
    outmulti: (c, k) => `This neuron gives the score z of class ${c}. Softmax turns the ${k} scores into probabilities p = e^z / Σ e^z, which add up to 1; its heatmap shows p(${c}): strong colour where the network is sure of this class. The big picture colours each point by the class with the largest p.`,
    outreg: 'This is the output neuron: the predicted value ŷ = z, the weighted sum of its inputs plus the bias, with no squashing. Its heatmap is the big picture: blue where ŷ > 0, orange where ŷ < 0, like the targets of the points.',
    input: f => `The value ${f} of each point. Its heatmap shows ${f} over the plane (blue positive, orange negative). Every neuron of the first hidden layer reads it, multiplied by its own weight.`,
    link: (f, t) => `It multiplies ${f} in the sum z of ${t}. The line's width shows its size and its colour its sign (blue +, orange −).`,
  },
  es: {
    playground: 'laboratorio', reset: 'Reiniciar', play: 'Reproducir', pause: 'Pausa', step: 'Avanzar una época',
    epoch: 'Época', steps: 'pasos/s', lr: 'Tasa de aprendizaje', optimizer: 'Optimizador', momentum: 'Momento',
    loss: 'Pérdida', bce: 'Entropía cruzada', mse: 'Error cuadrático', regularization: 'Regularización',
    none: 'Ninguna', regrate: 'Tasa de regularización', dropout: 'Dropout', data: 'Datos',
    whichdata: '¿Qué conjunto de datos?', classification: 'Clasificación', regression: 'Regresión',
    yourdata: 'Tus puntos', upload: 'subir',
    csvhelp: 'x1,x2,etiqueta por línea (cabecera opcional), hasta 10 000 puntos, 1 MB. Etiquetas: hasta 8 enteros o palabras son clases; otros números, una regresión.',
    csvstatus: (name, n, task, k) => `${name}: ${n} puntos, ${task === 'regression' ? 'regresión' : `${k} clases`} (coordenadas reescaladas a [−1, 1])`,
    csvmissing: 'El CSV subido ya no se guarda en esta pestaña: súbelo de nuevo.',
    csvtoobig: 'El archivo ocupa más de 1 MB.',
    classes: 'Clases', ratio: 'Proporción de entrenamiento y prueba', noise: 'Ruido',
    batch: 'Tamaño del lote', points: 'Puntos', regenerate: 'Regenerar', features: 'Características',
    export: 'Exportar', exportmodel: 'model.safetensors', exportconfig: 'configuración de nabla train (TOML)',
    exportpoints: 'points.csv', addlayer: 'Añadir una capa', removelayer: 'Quitar una capa',
    hiddenlayers: n => `${n} capa${n === 1 ? '' : 's'} oculta${n === 1 ? '' : 's'}`,
    neurons: n => `${n} neurona${n === 1 ? '' : 's'}`,
    edithint: 'Pasa el ratón por una neurona o un enlace para ver qué calcula; haz clic para fijar la tarjeta y editar sus pesos y su sesgo.',
    output: 'Salida', testloss: 'Pérdida de prueba', trainloss: 'Pérdida de entrenamiento',
    testacc: 'Exactitud de prueba', trainacc: 'Exactitud de entrenamiento', showtest: 'Mostrar datos de prueba',
    discretize: 'Discretizar la salida',
    gradnorms: 'Norma del gradiente por capa', stepthrough: 'Retropropagación paso a paso',
    stephelp: 'Un punto de entrenamiento a través de la red: hacia delante (z, a), hacia atrás (δ = ∂C/∂z = ∂C/∂a · da/dz, donde ∂C/∂a = Σₖ wₖⱼ δₖ suma lo que devuelve la capa siguiente; ∂C/∂w = δ·a), todo de la diferenciación automática de nabla, y una actualización.',
    sample: 'Punto de entrenamiento', runstep: 'Paso a paso', layer: 'Capa', neuron: 'Neurona', target: 'objetivo',
    output_: 'salida', lossbefore: 'pérdida antes', lossafter: 'pérdida tras la actualización', chain: 'δ = ∂C/∂a · da/dz',
    circle: 'círculo', xor: 'xor', gaussian: 'gaussiana', spiral: 'espiral', moons: 'lunas', blobs: 'manchas',
    plane: 'plano', 'multi-gaussian': 'multigaussiana', activation: 'Activación', class: 'clase',
    hiddentitle: (l, j) => `Capa oculta ${l}, neurona ${j}`, outputtitle: 'Neurona de salida',
    classtitle: c => `Salida: clase ${c}`, inputtitle: f => `Entrada ${f}`, linktitle: (f, t) => `Peso de ${f} a ${t}`,
    neuronname: (l, j) => `la neurona ${j} de la capa oculta ${l}`, outputname: 'la neurona de salida', bias: 'sesgo b',
    weight: 'peso w', pinhint: 'Haz clic para fijar esta tarjeta y editar; Esc la cierra.', layerlabel: l => `capa ${l}`,
    inputs: l => l === 0 ? 'las características de entrada' : `las salidas de la capa oculta ${l}`,
    sum: (list, act) => `Multiplica cada una de sus entradas (${list}) por su peso y suma su sesgo b: esa suma es z. Después ${ACT.es[act][0]} convierte z en su salida a = ${ACT.es[act][1]}.`,
    colour: {
      tanh: 'Su mapa de calor muestra a en cada punto del plano: azul donde a está cerca de +1, naranja cerca de −1, blanco donde z ≈ 0.',
      sigmoid: 'Su mapa de calor muestra a en cada punto del plano: a está entre 0 y 1, blanco donde a ≈ 0 y azul donde a ≈ 1 (a = ½ donde z = 0).',
      relu: 'Su mapa de calor muestra a en cada punto del plano: blanco donde la neurona está apagada (z ≤ 0, así que a = 0), azul donde se activa, más oscuro cuanto mayor es z.',
      leaky_relu: 'Su mapa de calor muestra a en cada punto del plano: como ReLU, de blanco a azul donde se activa, pero donde z < 0 deja pasar 0,01·z (un naranja tenue).',
      linear: 'Su mapa de calor muestra a = z en cada punto del plano: azul donde z > 0, naranja donde z < 0, blanco a lo largo de z = 0.',
    },
    straight: 'Como z es una suma ponderada de x₁ y x₂, los puntos donde z = 0 forman una recta: esta neurona corta el plano en dos a lo largo de ella, y su color dice a qué lado queda cada punto.',
    curved: list => `Como también lee ${list}, la curva z = 0 puede doblarse (un círculo, con x₁² y x₂²).`,
    deeper: (n, l) => `Lee ${n === 1 ? 'la neurona' : `las ${n} neuronas`} de la capa oculta ${l}, así que su mapa es una mezcla ponderada de los suyos (pasa el ratón por encima para compararlos): azul donde están activas las neuronas con pesos positivos, naranja donde lo están las de pesos negativos. Mezclando regiones así, una capa más profunda dibuja fronteras curvas.`,
    strongest: (w, f) => `Su peso mayor en valor absoluto es ${w}, sobre ${f}: es la entrada a la que más reacciona.`,
    outbinary: list => `Es la neurona de salida: z es la suma ponderada de ${list} más el sesgo, y p = σ(z) es la probabilidad, según la red, de que un punto sea de la clase 1 (azul). Su mapa es la imagen grande de la derecha: azul donde p > ½, naranja donde p < ½; la frontera de decisión es donde z = 0.`,
    outmulti: (c, k) => `Esta neurona da la puntuación z de la clase ${c}. Softmax convierte las ${k} puntuaciones en probabilidades p = e^z / Σ e^z, que suman 1; su mapa muestra p(${c}): color intenso donde la red está segura de esta clase. La imagen grande colorea cada punto según la clase de mayor p.`,
    outreg: 'Es la neurona de salida: el valor predicho ŷ = z, la suma ponderada de sus entradas más el sesgo, sin aplastar. Su mapa es la imagen grande: azul donde ŷ > 0, naranja donde ŷ < 0, como los objetivos de los puntos.',
    input: f => `El valor ${f} de cada punto. Su mapa muestra ${f} sobre el plano (azul positivo, naranja negativo). Todas las neuronas de la primera capa oculta lo leen, multiplicado por su propio peso.`,
    link: (f, t) => `Multiplica ${f} en la suma z de ${t}. El grosor de la línea muestra su tamaño y el color su signo (azul +, naranja −).`,
  },
};

const DATASETS = ['circle', 'xor', 'gaussian', 'spiral', 'moons', 'blobs'];
const REG_DATASETS = ['plane', 'multi-gaussian'];
const ALL_DATASETS = [...DATASETS, ...REG_DATASETS, 'csv'];
const MULTICLASS_DATASETS = ['blobs', 'spiral', 'gaussian'];  // these take a number of classes
const FEATURES = { x1: 'x₁', x2: 'x₂', x1sq: 'x₁²', x2sq: 'x₂²', x1x2: 'x₁x₂', sinx1: 'sin x₁', sinx2: 'sin x₂' };
const ACTIVATIONS = ['tanh', 'relu', 'sigmoid', 'linear', 'leaky_relu'];
const RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const REG_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const DROPOUTS = [0, 0.1, 0.2, 0.3, 0.5];
const DEFAULTS = {
  dataset: 'circle', noise: 10, train_ratio: 50, points: 500, batch_size: 10, classes: 2, features: ['x1', 'x2'],
  hidden: [4, 2], activations: ['tanh'], learning_rate: 0.03, regularization: 'none', regularization_rate: 0,
  optimizer: 'adam', loss: 'bce', dropout: 0, seed: 1,
};
// Class k's colour: orange and blue as the playground's two classes, then six more.
const CLASS_COLORS = [[245, 147, 34], [8, 119, 189], [44, 160, 44], [148, 103, 189], [214, 39, 40], [140, 86, 75],
  [227, 119, 194], [128, 128, 0]];
const LAYER_COLORS = ['#f59322', '#0877bd', '#2a2', '#a2a', '#888', '#c33', '#3cc', '#333', '#963'];
const CSV_KEY = 'nabla-playground-csv';

const $ = id => document.getElementById(id);
let cfg = structuredClone(DEFAULTS);
let lang = (navigator.language || 'en').toLowerCase().startsWith('es') ? 'es' : 'en';
let hide = [];          // controls hidden through the hash (hide=noise,optimizer)
let session = null;     // id
let state = null;       // last state from the server
let points = null;      // the data points (fetched when the data change)
let wantPoints = true;
let showTest = false;
let discretize = false;  // the output map in two colours (TF Playground's "discretize output")
let playing = false;
let shownTask = null;   // the task the controls were last drawn for
let lastStep = null;    // the last step-through, redrawn when the language changes

const tr = (key, ...args) => { const v = T[lang][key] ?? T.en[key] ?? key; return typeof v === 'function' ? v(...args) : v; };
const esc = s => String(s).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const sub = n => String(n).replace(/\d/g, d => '₀₁₂₃₄₅₆₇₈₉'[d]);
const num3 = v => String(Number(Number(v).toPrecision(3)));

// ---- the URL hash: the whole state, shareable ----
function readHash() {
  const h = new URLSearchParams(location.hash.slice(1));
  const num = (k, lo, hi) => { if (h.has(k)) { const v = Number(h.get(k)); if (Number.isFinite(v) && v >= lo && v <= hi) cfg[k] = v; } };
  if (ALL_DATASETS.includes(h.get('dataset'))) cfg.dataset = h.get('dataset');
  num('noise', 0, 50); num('train_ratio', 10, 90); num('points', 10, 10000); num('batch_size', 1, 10000);
  num('learning_rate', 1e-6, 10); num('regularization_rate', 0, 10); num('dropout', 0, 0.9); num('classes', 2, 8);
  num('seed', 0, 2 ** 40);
  for (const k of ['optimizer', 'loss', 'regularization']) if (h.has(k)) cfg[k] = h.get(k);
  if (h.has('features')) cfg.features = h.get('features').split(',').filter(f => f in FEATURES);
  if (!cfg.features.length) cfg.features = ['x1', 'x2'];
  if (h.has('hidden')) cfg.hidden = h.get('hidden') === '' ? [] : h.get('hidden').split(',').map(Number).filter(n => n >= 1 && n <= 64).slice(0, 8);
  if (h.has('activations')) cfg.activations = h.get('activations').split(',').filter(a => ACTIVATIONS.includes(a));
  if (!cfg.activations.length) cfg.activations = ['tanh'];
  if (h.has('hide')) hide = h.get('hide').split(',').filter(Boolean);
  if (h.get('lang') === 'es' || h.get('lang') === 'en') lang = h.get('lang');
  if (h.has('showtest')) showTest = h.get('showtest') === '1';
  if (h.has('discretize')) discretize = h.get('discretize') === '1';
}

function writeHash() {
  const h = new URLSearchParams();
  for (const [k, v] of Object.entries(cfg)) h.set(k, Array.isArray(v) ? v.join(',') : String(v));
  if (hide.length) h.set('hide', hide.join(','));
  h.set('lang', lang);
  if (showTest) h.set('showtest', '1');
  if (discretize) h.set('discretize', '1');
  history.replaceState(null, '', '#' + h.toString());
}

// ---- the server ----
async function api(method, path, body, type) {
  const headers = body === undefined ? {} : { 'Content-Type': type || 'application/json' };
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : type ? body : JSON.stringify(body) });
  const json = await res.json();
  if (!res.ok) throw new Error(json.error || res.statusText);
  return json;
}
const sessionApi = (method, action, body, type) => api(method, `/api/sessions/${session}/${action}`, body, type);

function sessionConfig() {
  const c = structuredClone(cfg);
  c.batch_size = Math.min(c.batch_size, c.points);
  if (c.activations.length !== 1) c.activations = c.hidden.map((_, i) => c.activations[i] || c.activations[0]);
  return c;
}

// The uploaded CSV stays in this tab (sessionStorage), so that a new session (an expired one, a
// reload) gets the same points back.
function storedCsv() { try { return JSON.parse(sessionStorage.getItem(CSV_KEY)); } catch { return null; } }

async function createSession() {
  const c = sessionConfig(), csv = c.dataset === 'csv' ? storedCsv() : null, missing = c.dataset === 'csv' && !csv;
  if (c.dataset === 'csv') c.dataset = 'circle';  // the points come with the upload below
  if (missing) { cfg.dataset = 'circle'; writeHash(); renderControls(); }
  const r = await api('POST', '/api/sessions', c);
  session = r.id;
  $('export-model').href = `/api/sessions/${session}/export/model.safetensors`;
  $('export-config').href = `/api/sessions/${session}/export/config.toml`;
  $('export-points').href = `/api/sessions/${session}/export/points.csv`;
  if (csv) await uploadCsv(csv.text, csv.name);
  if (missing) $('csv-status').textContent = tr('csvmissing');
}

async function uploadCsv(text, name) {
  const r = await sessionApi('POST', `data?name=${encodeURIComponent(name)}`, text, 'text/csv');
  try { sessionStorage.setItem(CSV_KEY, JSON.stringify({ text, name })); } catch { /* too large to keep: fine */ }
  cfg.dataset = 'csv';
  $('csv-status').textContent = tr('csvstatus', name, r.points, r.task, r.num_classes);
  wantPoints = true;
  setPlaying(false);
  showError(null);
  clearStep();
  writeHash();
  renderControls();
}

function showError(e) { const el = $('error'); el.hidden = !e; el.textContent = e ? String(e.message || e) : ''; }

async function configChanged() {
  writeHash();
  renderControls();
  try {
    await sessionApi('POST', 'config', sessionConfig());
    wantPoints = true; showError(null); setPlaying(false); clearStep();
  } catch (e) { showError(e); }
}

function setPlaying(p) { playing = p; $('play').hidden = p; $('pause').hidden = !p; }

async function poll() {
  try {
    if (!session) await createSession();
    const s = await sessionApi('GET', `state?grid=50&neurons=20&points=${wantPoints ? 1 : 0}`);
    if (s.points) { points = s.points; wantPoints = false; }
    state = s;
    if (s.playing !== playing) setPlaying(s.playing);
    showError(s.error || null);
    draw();
  } catch (e) {
    showError(e);
    if (/no session/.test(e.message)) session = null;
  }
  setTimeout(poll, playing ? 40 : 150);
}

// ---- colours ----
// v in [-1, 1] → orange (negative) … white … blue (positive), as RGB.
function color(v) {
  v = Math.max(-1, Math.min(1, v || 0));
  const neg = [245, 147, 34], pos = [8, 119, 189], w = [232, 234, 235];
  const c = v < 0 ? neg : pos, t = Math.abs(v);
  return [0, 1, 2].map(i => Math.round(w[i] + (c[i] - w[i]) * t));
}
// Class k's colour at strength t in [0, 1] (0: white).
function classColor(k, t) {
  const c = CLASS_COLORS[k % CLASS_COLORS.length], w = [232, 234, 235];
  t = Math.max(0, Math.min(1, t));
  return [0, 1, 2].map(i => Math.round(w[i] + (c[i] - w[i]) * t));
}
const css = rgb => `rgb(${rgb.join(',')})`;

function heatmap(side, rgbOf) {
  const img = new ImageData(side, side);
  for (let i = 0; i < side * side; i++) img.data.set([...rgbOf(i), 255], 4 * i);
  const c = document.createElement('canvas');
  c.width = c.height = side;
  c.getContext('2d').putImageData(img, 0, 0);
  return c;
}

const className = k => (state && state.class_names && state.class_names[k] !== undefined ? state.class_names[k] : String(k));

// The colour of neuron j of column l (0: inputs, last: outputs) for its value v.
function neuronRgb(l, j, v) {
  if (l < state.layer_sizes.length - 1) return color(v);
  if (state.task === 'multiclass') return classColor(j, v);
  if (state.task === 'regression') return color(v / state.value_scale);
  return color(2 * v - 1);
}

// ---- drawing ----
function drawBoundary() {
  const cv = $('boundary'), ctx = cv.getContext('2d');
  ctx.imageSmoothingEnabled = true;
  ctx.clearRect(0, 0, cv.width, cv.height);
  const b = state.boundary;
  if (b) {
    let rgb;
    if (discretize) {
      rgb = state.task === 'multiclass' ? i => classColor(b.values[i], 0.6)
        : state.task === 'regression' ? i => color(Math.sign(b.values[i]))
          : i => color(b.values[i] > 0.5 ? 1 : -1);
    } else if (state.task === 'multiclass') {
      const k = state.num_classes;
      // Paler than the points, and palest where the network hesitates between classes.
      rgb = i => classColor(b.values[i], 0.1 + 0.6 * (b.confidence[i] - 1 / k) / (1 - 1 / k));
    } else if (state.task === 'regression') {
      rgb = i => color(b.values[i] / state.value_scale);
    } else {
      rgb = i => color(2 * b.values[i] - 1);
    }
    ctx.drawImage(heatmap(b.side, rgb), 0, 0, cv.width, cv.height);
  }
  if (!points) return;
  const e = state.extent, sx = x => (x + e) / (2 * e) * cv.width, sy = y => (e - y) / (2 * e) * cv.height;
  const regression = state.task === 'regression';
  const dot = (p, test) => {
    ctx.beginPath();
    ctx.arc(sx(p[0]), sy(p[1]), 3, 0, 2 * Math.PI);
    ctx.fillStyle = css(regression ? color(p[2] / state.value_scale) : classColor(p[2], 1));
    ctx.fill();
    ctx.lineWidth = 1; ctx.strokeStyle = test ? '#000' : regression ? '#666' : '#fff'; ctx.stroke();
  };
  points.train.forEach(p => dot(p, false));
  if (showTest) points.test.forEach(p => dot(p, true));
}

function drawLegend() {
  let html = '';
  if (state.task === 'regression') {
    const s = num3(state.value_scale);
    html = `<span style="--c:${css(color(-1))}">−${s}</span><span style="--c:${css(color(0))}">0</span><span style="--c:${css(color(1))}">+${s}</span>`;
  } else {
    for (let k = 0; k < state.num_classes; k++)
      html += `<span style="--c:${css(classColor(k, 1))}">${esc(tr('class'))} ${esc(className(k))}</span>`;
  }
  if ($('legend').innerHTML !== html) $('legend').innerHTML = html;
  const g = state.history.grad_norms, layers = g.length ? g[g.length - 1].length : 0;
  const gl = Array.from({ length: layers }, (_, l) => `<span style="--c:${LAYER_COLORS[l % LAYER_COLORS.length]}">${esc(tr('layerlabel', l + 1))}</span>`).join('');
  if ($('grad-legend').innerHTML !== gl) $('grad-legend').innerHTML = gl;
}

function drawChart(id, series, colors) {
  const cv = $(id), ctx = cv.getContext('2d');
  ctx.clearRect(0, 0, cv.width, cv.height);
  let max = 0, n = 0;
  for (const s of series) for (const v of s) if (v != null && Number.isFinite(v)) { max = Math.max(max, v); n = Math.max(n, s.length); }
  if (n < 2 || max <= 0) return;
  series.forEach((s, k) => {
    ctx.beginPath();
    ctx.strokeStyle = colors[k % colors.length];
    ctx.lineWidth = 1.5;
    s.forEach((v, i) => {
      if (v == null) return;
      const x = i / (n - 1) * (cv.width - 4) + 2, y = cv.height - 2 - v / max * (cv.height - 6);
      i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
    });
    ctx.stroke();
  });
  ctx.fillStyle = '#777'; ctx.font = '10px sans-serif'; ctx.fillText(max.toPrecision(3), 4, 10);
}

// Positions in the network canvas (canvas pixels), for hovering and clicking.
let nodes = [], links = [];
function drawNetwork() {
  const cv = $('network'), ctx = cv.getContext('2d');
  const sizes = state.layer_sizes, W = state.weights, last = sizes.length - 1;
  const maxN = Math.max(...sizes), per = (cv.height - 20) / maxN;
  const box = Math.max(3, Math.min(36, per * 0.82)), gap = Math.min(6, per - box);
  const right = state.task === 'multiclass' ? 70 : 10;
  const colX = l => 40 + l * (cv.width - 40 - right - box) / Math.max(1, sizes.length - 1);
  const rowY = (l, j) => 10 + (cv.height - 20 - sizes[l] * (box + gap)) / 2 + j * (box + gap);
  ctx.clearRect(0, 0, cv.width, cv.height);
  nodes = []; links = [];
  let maxW = 0;
  for (const L of W) for (const row of L.w) for (const v of row) maxW = Math.max(maxW, Math.abs(v));
  W.forEach((L, l) => L.w.forEach((row, to) => row.forEach((v, from) => {
    const x0 = colX(l) + box, y0 = rowY(l, from) + box / 2, x1 = colX(l + 1), y1 = rowY(l + 1, to) + box / 2;
    ctx.strokeStyle = css(color(v / (maxW || 1)));
    ctx.lineWidth = 0.5 + 5 * Math.abs(v) / (maxW || 1);
    ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
    links.push({ kind: 'link', layer: l, to, from, x0, y0, x1, y1 });
  })));
  const grids = state.neurons ? state.neurons.layers : [], side = state.neurons ? state.neurons.side : 0;
  sizes.forEach((n, l) => {
    for (let j = 0; j < n; j++) {
      const x = colX(l), y = rowY(l, j), g = grids[l] && grids[l][j];
      if (g) ctx.drawImage(heatmap(side, i => neuronRgb(l, j, g[i])), x, y, box, box);
      ctx.strokeStyle = '#333'; ctx.lineWidth = 1; ctx.strokeRect(x, y, box, box);
      ctx.fillStyle = '#333'; ctx.font = '11px sans-serif';
      if (l === 0) { ctx.textAlign = 'right'; ctx.fillText(FEATURES[state.config.features[j]] || '', x - 3, y + box / 2 + 4); ctx.textAlign = 'left'; }
      if (l === last && state.task === 'multiclass' && box >= 8) ctx.fillText(className(j).slice(0, 9), x + box + 4, y + box / 2 + 4);
      nodes.push(l === 0 ? { kind: 'input', index: j, x, y, box } : { kind: 'neuron', layer: l - 1, neuron: j, x, y, box });
    }
  });
}

function draw() {
  if (!state) return;
  $('epoch').textContent = String(state.epoch).padStart(6, '0');
  $('sps').textContent = Math.round(state.steps_per_second || 0);
  const fmt = v => (v == null || !Number.isFinite(v) ? '-' : v.toFixed(3));
  const pct = v => (v == null || !Number.isFinite(v) ? '-' : `${(100 * v).toFixed(1)}%`);
  $('train-loss').textContent = fmt(state.train_loss);
  $('test-loss').textContent = fmt(state.test_loss);
  $('train-accuracy').textContent = pct(state.train_accuracy);
  $('test-accuracy').textContent = pct(state.test_accuracy);
  if (state.task !== shownTask) { shownTask = state.task; renderControls(); }
  drawBoundary();
  drawLegend();
  drawNetwork();
  drawChart('loss-chart', [state.history.train, state.history.test], ['#333', '#0877bd']);
  const g = state.history.grad_norms, layers = g.length ? g[g.length - 1].length : 0;
  drawChart('grad-chart', Array.from({ length: layers }, (_, l) => g.map(p => p[l])), LAYER_COLORS);
  renderCard();
}

// ---- the card: what a neuron computes, or one weight; read on hover, edit when pinned ----
const card = { target: null, pinned: false, pending: null, at: null };

const activationOf = l => { const a = state.config.activations; return a.length === 1 ? a[0] : a[l] || a[0]; };
// The labels of the inputs of linear layer l: the features, or the previous layer's a's.
const inputLabels = l => (l === 0 ? state.config.features.map(f => FEATURES[f] || f) : state.weights[l - 1].b.map((_, i) => `a${sub(i + 1)}`));
const neuronName = (l, j) => (l === state.weights.length - 1 ? tr('outputname') : tr('neuronname', l + 1, j + 1));

function formula(w, b, labels) {
  const terms = w.slice(0, 10).map((v, i) => `${i === 0 ? (v < 0 ? '−' : '') : v < 0 ? ' − ' : ' + '}${num3(Math.abs(v))}·${labels[i]}`);
  if (w.length > 10) terms.push(` + … (${w.length} ${lang === 'es' ? 'términos' : 'terms'})`);
  return `z = ${terms.join('')}${b < 0 ? ' − ' : ' + '}${num3(Math.abs(b))}`;
}

function cardHtml(t) {
  const last = state.weights.length - 1;
  if (t.kind === 'input') {
    const f = FEATURES[state.config.features[t.index]] || state.config.features[t.index];
    return { title: tr('inputtitle', f), heat: [0, t.index], body: `<p data-testid="neuron-explain">${esc(tr('input', f))}</p>` };
  }
  if (t.kind === 'link') {
    const from = t.layer === 0 ? inputLabels(0)[t.from] : tr('neuronname', t.layer, t.from + 1);
    const to = neuronName(t.layer, t.to), v = state.weights[t.layer].w[t.to][t.from];
    return {
      title: tr('linktitle', from, to), heat: null,
      body: `<div class="edits"><label for="edit-w">${esc(tr('weight'))}</label><input id="edit-w" data-testid="edit-weight" data-layer="${t.layer}" data-to="${t.to}" data-from="${t.from}" value="${v}"></div>
        <p data-testid="neuron-explain">${esc(tr('link', from, to))}</p>`,
    };
  }
  const l = t.layer, j = t.neuron, W = state.weights[l], w = W.w[j], b = W.b[j], labels = inputLabels(l);
  const act = activationOf(l), out = l === last;
  let title, act_, words = [];
  if (out && state.task === 'multiclass') {
    title = tr('classtitle', className(j));
    act_ = `p = softmax(z)${sub(j + 1)} = e^z${sub(j + 1)} / Σₖ e^zₖ`;
    words.push(tr('outmulti', className(j), state.num_classes));
  } else if (out && state.task === 'regression') {
    title = tr('outputtitle'); act_ = 'ŷ = z'; words.push(tr('outreg'));
  } else if (out) {
    title = tr('outputtitle'); act_ = 'p = σ(z) = 1 / (1 + e^(−z))'; words.push(tr('outbinary', tr('inputs', l)));
  } else {
    title = tr('hiddentitle', l + 1, j + 1);
    act_ = `a = ${ACT[lang][act][1]}`;
    words.push(tr('sum', labels.slice(0, 6).join(', ') + (labels.length > 6 ? ', …' : ''), act), T[lang].colour[act]);
    if (l === 0) {
      const curved = state.config.features.filter(f => f !== 'x1' && f !== 'x2').map(f => FEATURES[f]);
      words.push(curved.length ? tr('curved', curved.join(', ')) : tr('straight'));
    } else {
      words.push(tr('deeper', labels.length, l));
    }
  }
  let k = 0;
  w.forEach((v, i) => { if (Math.abs(v) > Math.abs(w[k])) k = i; });
  if (w.length > 1) words.push(tr('strongest', num3(w[k]), labels[k]));
  const edits = w.map((v, i) => `<label for="edit-w${i}">w · ${esc(labels[i])}</label><input id="edit-w${i}" data-testid="edit-weight-${i}" data-layer="${l}" data-to="${j}" data-from="${i}" value="${v}">`).join('');
  return {
    title, heat: [l + 1, j],
    body: `<div class="formula" data-testid="neuron-formula">${esc(formula(w, b, labels))}<br>${esc(act_)}</div>
      ${words.map(s => `<p data-testid="neuron-explain">${esc(s)}</p>`).join('')}
      <div class="edits"><label for="edit-b">${esc(tr('bias'))}</label><input id="edit-b" data-testid="edit-bias" data-layer="${l}" data-neuron="${j}" value="${b}">${edits}</div>`,
  };
}

function renderCard() {
  const el = $('card');
  if (!card.target || !state) { el.hidden = true; return; }
  if (el.contains(document.activeElement) && !el.hidden) return;  // do not disturb an edit
  const t = card.target, W = state.weights[t.layer];
  // The network may have changed under the card (a layer or a neuron removed).
  const exists = t.kind === 'input' ? t.index < state.config.features.length
    : t.kind === 'neuron' ? !!W && t.neuron < W.w.length
      : !!W && t.to < W.w.length && t.from < W.w[t.to].length;
  if (!exists) { hideCard(); return; }
  const c = cardHtml(t);
  el.innerHTML = `${card.pinned ? '<button class="close" data-testid="card-close">×</button>' : ''}<h4>${esc(c.title)}</h4>
    ${c.heat ? '<canvas data-testid="card-heatmap" width="120" height="120"></canvas>' : ''}${c.body}
    ${card.pinned ? '' : `<p class="muted">${esc(tr('pinhint'))}</p>`}`;
  el.dataset.kind = t.kind;
  if (c.heat && state.neurons) {
    const [l, j] = c.heat, g = state.neurons.layers[l] && state.neurons.layers[l][j];
    const cv = el.querySelector('canvas'), ctx = cv.getContext('2d');
    ctx.imageSmoothingEnabled = true;
    if (g) ctx.drawImage(heatmap(state.neurons.side, i => neuronRgb(l, j, g[i])), 0, 0, cv.width, cv.height);
  }
  el.hidden = false;
  if (card.at) {
    const w = el.offsetWidth, h = el.offsetHeight;
    let left = card.at.x + 14, top = card.at.y - 10;
    if (left + w > window.scrollX + document.documentElement.clientWidth) left = card.at.x - w - 14;
    top = Math.max(window.scrollY + 4, Math.min(top, window.scrollY + document.documentElement.clientHeight - h - 4));
    el.style.left = `${Math.max(4, left)}px`; el.style.top = `${top}px`;
  }
}

function showCard(t, at) { card.target = t; card.at = at; renderCard(); }
function hideCard() { card.target = null; card.pinned = false; $('card').hidden = true; }
const sameTarget = (a, b) => a && b && JSON.stringify(a) === JSON.stringify(b);

function hitTest(e) {
  const r = $('network').getBoundingClientRect(), cv = $('network');
  const x = (e.clientX - r.left) * cv.width / r.width, y = (e.clientY - r.top) * cv.height / r.height;
  const node = nodes.find(n => x >= n.x - 1 && x <= n.x + n.box + 1 && y >= n.y - 1 && y <= n.y + n.box + 1);
  let target = node ? (node.kind === 'input' ? { kind: 'input', index: node.index } : { kind: 'neuron', layer: node.layer, neuron: node.neuron }) : null;
  if (!target) {
    let bestD = 5;
    for (const L of links) {
      const dx = L.x1 - L.x0, dy = L.y1 - L.y0, t = Math.max(0, Math.min(1, ((x - L.x0) * dx + (y - L.y0) * dy) / (dx * dx + dy * dy)));
      const d = Math.hypot(L.x0 + t * dx - x, L.y0 + t * dy - y);
      if (d < bestD) { bestD = d; target = { kind: 'link', layer: L.layer, to: L.to, from: L.from }; }
    }
  }
  // The card goes beside the item, in page coordinates.
  const item = node || null, sx = r.width / cv.width;
  const at = item ? { x: r.left + window.scrollX + (item.x + item.box) * sx, y: r.top + window.scrollY + item.y * sx }
    : { x: e.clientX + window.scrollX, y: e.clientY + window.scrollY };
  return { target, at };
}

// ---- controls ----
function fillSelect(id, values, labels) {
  $(id).innerHTML = values.map((v, i) => `<option value="${v}">${labels ? labels[i] : v}</option>`).join('');
}

function renderControls() {
  document.documentElement.lang = lang;
  document.querySelectorAll('[data-i18n]').forEach(el => { el.textContent = tr(el.dataset.i18n); });
  document.querySelectorAll('[data-i18n-title]').forEach(el => { el.title = tr(el.dataset.i18nTitle); });
  $('lang-en').classList.toggle('on', lang === 'en');
  $('lang-es').classList.toggle('on', lang === 'es');
  document.querySelectorAll('[data-ctl]').forEach(el => el.classList.toggle('hide', hide.includes(el.dataset.ctl)));
  document.querySelectorAll('.datasets button').forEach(b => {
    b.classList.toggle('on', b.dataset.name === cfg.dataset);
    if (b.dataset.name !== 'csv') b.querySelector('span').textContent = tr(b.dataset.name);
  });
  for (const k of ['learning_rate', 'regularization_rate', 'dropout', 'optimizer', 'loss', 'regularization']) $(k).value = String(cfg[k]);
  for (const k of ['train_ratio', 'noise', 'batch_size', 'points', 'classes']) { $(k).value = cfg[k]; $(k + '_v').textContent = cfg[k]; }
  // What the data allow: classes for blobs/spiral/gaussian; no noise or count for uploaded points;
  // the loss is fixed for more than two classes (cross-entropy) and for regression (squared error).
  $('classes-ctl').hidden = !MULTICLASS_DATASETS.includes(cfg.dataset);
  $('noise').disabled = $('points').disabled = cfg.dataset === 'csv';
  const task = state && state.config.dataset === cfg.dataset ? state.task : null;
  $('loss').disabled = task === 'multiclass' || task === 'regression';
  if (task === 'multiclass') $('loss').value = 'bce';
  if (task === 'regression') $('loss').value = 'mse';
  $('features').innerHTML = Object.entries(FEATURES).map(([k, label]) =>
    `<label><input type="checkbox" data-feature="${k}" ${cfg.features.includes(k) ? 'checked' : ''}> ${label}</label>`).join('');
  $('hidden-label').textContent = tr('hiddenlayers', cfg.hidden.length);
  $('layer-controls').innerHTML = cfg.hidden.map((n, l) => `<div class="layer">
      <div><button data-layer="${l}" data-delta="1">+</button><button data-layer="${l}" data-delta="-1">−</button></div>
      <span>${tr('neurons', n)}</span>
      <select data-act="${l}" data-testid="activation-${l}" title="${tr('activation')}">${ACTIVATIONS.map(a => `<option ${(cfg.activations[l] || cfg.activations[0]) === a ? 'selected' : ''}>${a}</option>`).join('')}</select>
    </div>`).join('');
  $('show-test').checked = showTest;
  $('discretize').checked = discretize;
  if (lastStep) renderStep(lastStep);
  if (state && state.upload) $('csv-status').textContent = tr('csvstatus', state.upload.source, state.upload.points, state.upload.num_classes === 0 ? 'regression' : 'classes', state.upload.num_classes);
  renderCard();
}

function miniDataset(name) {
  const c = document.createElement('canvas');
  c.width = 40; c.height = 30;
  const ctx = c.getContext('2d');
  ctx.fillStyle = '#eee'; ctx.fillRect(0, 0, 40, 30);
  const dot = (x, y, cls) => { ctx.fillStyle = cls ? '#0877bd' : '#f59322'; ctx.fillRect(20 + x * 12 - 1, 15 - y * 12 - 1, 2, 2); };
  const val = (x, y, v) => { ctx.fillStyle = css(color(v)); ctx.fillRect(20 + x * 12 - 1, 15 - y * 12 - 1, 2, 2); };
  for (let i = 0; i < 60; i++) {
    const t = i / 60 * 2 * Math.PI, c2 = i % 2;
    if (name === 'circle') dot(Math.cos(t) * (c2 ? 0.5 : 1), Math.sin(t) * (c2 ? 0.5 : 1), c2);
    else if (name === 'xor') { const x = (i % 8) / 4 - 0.9, y = Math.floor(i / 8) / 4 - 0.9; dot(x, y, x * y > 0 ? 1 : 0); }
    else if (name === 'gaussian') { const r = (i % 7) / 7; dot(r * Math.cos(t * 3), r * Math.sin(t * 3), r < 0.5 ? 1 : 0); }
    else if (name === 'spiral') { const r = (i >> 1) / 30; const a = 2 * Math.PI * 1.75 * r + Math.PI * c2; dot(r * Math.sin(a), r * Math.cos(a), c2); }
    else if (name === 'moons') { const a = Math.PI * (i >> 1) / 30; dot(c2 ? 0.5 - Math.cos(a) : Math.cos(a) - 0.5, c2 ? 0.25 - Math.sin(a) * 0.8 : Math.sin(a) * 0.8 - 0.25, c2); }
    else if (name === 'blobs') dot((c2 ? 0.6 : -0.6) + Math.cos(i * 2.4) * 0.3, (c2 ? -0.3 : 0.3) + Math.sin(i * 1.7) * 0.3, c2);
  }
  // The regression sets: their labels on a grid, in the playground's units (x, y in ±6).
  const gauss = [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]];
  const label = (x, y) => (name === 'plane' ? (x + y) / 10
    : gauss.map(([cx, cy, s]) => s * Math.max(0, 1 - Math.hypot(x - cx, y - cy) / 2)).reduce((a, v) => (Math.abs(v) > Math.abs(a) ? v : a), 0));
  if (REG_DATASETS.includes(name))
    for (let x = -1.6; x <= 1.6; x += 0.15) for (let y = -1.2; y <= 1.2; y += 0.15) val(x, y, label(x * 3.75, y * 5));
  return c;
}

function setupControls() {
  for (const [list, names] of [['datasets', DATASETS], ['reg-datasets', REG_DATASETS]])
    for (const name of names) {
      const b = document.createElement('button');
      b.dataset.name = name;
      b.setAttribute('data-testid', `dataset-${name}`);
      b.append(miniDataset(name), document.createElement('span'));
      b.onclick = () => { cfg.dataset = name; configChanged(); };
      $(list).append(b);
    }
  fillSelect('learning_rate', RATES);
  fillSelect('regularization_rate', REG_RATES);
  fillSelect('dropout', DROPOUTS);
  for (const k of ['learning_rate', 'regularization_rate', 'dropout'])
    $(k).onchange = () => { cfg[k] = Number($(k).value); configChanged(); };
  for (const k of ['optimizer', 'loss', 'regularization'])
    $(k).onchange = () => { cfg[k] = $(k).value; configChanged(); };
  for (const k of ['train_ratio', 'noise', 'batch_size', 'points', 'classes']) {
    $(k).oninput = () => { $(k + '_v').textContent = $(k).value; };
    $(k).onchange = () => { cfg[k] = Number($(k).value); configChanged(); };
  }
  $('csv-button').onclick = () => $('csv-input').click();
  $('csv-input').onchange = async () => {
    const f = $('csv-input').files[0];
    $('csv-input').value = '';
    if (!f) return;
    if (f.size > 1 << 20) { showError(tr('csvtoobig')); return; }
    try { await uploadCsv(await f.text(), f.name); } catch (e) { showError(e); }
  };
  $('features').onchange = e => {
    const f = e.target.dataset.feature;
    const next = e.target.checked ? [...cfg.features, f] : cfg.features.filter(x => x !== f);
    if (next.length) cfg.features = Object.keys(FEATURES).filter(k => next.includes(k));
    configChanged();
  };
  $('add-layer').onclick = () => { if (cfg.hidden.length < 8) { cfg.hidden.push(2); configChanged(); } };
  $('remove-layer').onclick = () => { if (cfg.hidden.length) { cfg.hidden.pop(); configChanged(); } };
  $('layer-controls').onclick = e => {
    const l = e.target.dataset.layer;
    if (l === undefined) return;
    cfg.hidden[l] = Math.max(1, Math.min(64, cfg.hidden[l] + Number(e.target.dataset.delta)));
    configChanged();
  };
  $('layer-controls').onchange = e => {
    const l = Number(e.target.dataset.act);
    const acts = cfg.hidden.map((_, i) => cfg.activations[i] || cfg.activations[0]);
    acts[l] = e.target.value;
    cfg.activations = acts.every(a => a === acts[0]) ? [acts[0]] : acts;
    configChanged();
  };
  $('play').onclick = () => sessionApi('POST', 'play').then(() => setPlaying(true), showError);
  $('pause').onclick = () => sessionApi('POST', 'pause').then(() => setPlaying(false), showError);
  $('step').onclick = () => sessionApi('POST', 'step').then(() => setPlaying(false), showError);
  $('reset').onclick = () => sessionApi('POST', 'reset').then(() => { setPlaying(false); clearStep(); }, showError);
  // New data: a new seed, kept in the hash so that a shared link shows the same points.
  $('regenerate').onclick = () => { cfg.seed = Math.floor(Math.random() * 1e9); configChanged(); };
  $('show-test').onchange = () => { showTest = $('show-test').checked; writeHash(); draw(); };
  $('discretize').onchange = () => { discretize = $('discretize').checked; writeHash(); draw(); };
  $('lang-en').onclick = () => { lang = 'en'; writeHash(); renderControls(); };
  $('lang-es').onclick = () => { lang = 'es'; writeHash(); renderControls(); };

  // The card: hover shows it (switching to another item after a short rest, so the mouse can
  // travel to the card), click pins it for editing, Esc or × closes it.
  const net = $('network');
  net.onmousemove = e => {
    if (card.pinned || !state) return;
    const { target, at } = hitTest(e);
    if (sameTarget(target, card.target)) { clearTimeout(card.pending); return; }
    clearTimeout(card.pending);
    if (!target) card.pending = setTimeout(hideCard, 350);
    else if (!card.target) showCard(target, at);
    else card.pending = setTimeout(() => showCard(target, at), 120);
  };
  net.onmouseleave = e => { if (!card.pinned && !$('card').contains(e.relatedTarget)) { clearTimeout(card.pending); card.pending = setTimeout(hideCard, 350); } };
  net.onclick = e => {
    if (!state) return;
    const { target, at } = hitTest(e);
    clearTimeout(card.pending);
    if (!target) { hideCard(); return; }
    card.pinned = true;
    showCard(target, at);
  };
  $('card').onmouseenter = () => clearTimeout(card.pending);
  $('card').onmouseleave = e => { if (!card.pinned && e.relatedTarget !== net) card.pending = setTimeout(hideCard, 350); };
  $('card').onclick = e => { if (e.target.dataset.testid === 'card-close') hideCard(); else if (!card.pinned && e.target.tagName === 'INPUT') { card.pinned = true; } };
  $('card').onchange = e => {
    const d = e.target.dataset, v = Number(e.target.value);
    if (e.target.value.trim() === '' || !Number.isFinite(v)) return;
    const req = d.neuron !== undefined
      ? sessionApi('POST', 'bias', { layer: Number(d.layer), neuron: Number(d.neuron), value: v })
      : sessionApi('POST', 'weight', { layer: Number(d.layer), to: Number(d.to), from: Number(d.from), value: v });
    req.then(() => { e.target.blur(); }, showError);
  };
  document.addEventListener('keydown', e => { if (e.key === 'Escape') hideCard(); });

  $('stepthrough').onclick = async () => {
    try {
      setPlaying(false);
      renderStep(await sessionApi('POST', 'stepthrough', { sample: Number($('sample').value) || 0 }));
    } catch (e) { showError(e); }
  };
}

// The step-through: one table per layer (z, a, da/dz, δ and its chain-rule product per neuron;
// ∂C/∂w per weight). Values shown with 6 significant digits; data-value holds the exact number
// the server sent.
function clearStep() { lastStep = null; $('step-result').innerHTML = ''; }

function renderStep(t) {
  lastStep = t;
  const fmt = v => Number(v).toPrecision(6), f = num3, fp = v => (v < 0 ? `(${num3(v)})` : num3(v));
  const cell = (v, id) => `<td data-testid="${id}" data-value="${v}">${fmt(v)}</td>`;
  const multi = t.task === 'multiclass', last = t.layers.length - 1;
  const target = multi ? `${t.target} (${esc(className(t.target))})` : fmt(t.target);
  const output = Array.isArray(t.output) ? `(${t.output.map(fmt).join(', ')})` : fmt(t.output);
  let html = `<div class="summary">x = (${t.point.map(fmt).join(', ')}), ${tr('target')} = ${target}, ${tr('output_')} = ${output},
    ${tr('lossbefore')} = <span data-testid="loss-before">${fmt(t.loss_before)}</span>,
    ${tr('lossafter')} = <span data-testid="loss-after">${fmt(t.loss_after)}</span></div>`;
  // δ of neuron j of layer l written out: ∂C/∂a (what the next layer sends back) times da/dz.
  const chain = (l, j) => {
    const L = t.layers[l], d = L.delta[j];
    if (L.softmax) return `a − y = ${f(L.a[j])} − ${t.target === j ? 1 : 0} = ${f(d)}`;
    const dadz = L.da_dz ? L.da_dz[j] : 1;
    let dCda = f(L.dC_da[j]);
    if (l < last) {
      const N = t.layers[l + 1], terms = N.w.map((row, k) => `${fp(row[j])}·${fp(N.delta[k])}`);
      dCda = `(${terms.slice(0, 3).join(' + ')}${terms.length > 3 ? ' + …' : ''})`;
    }
    return `${dCda} × ${fp(dadz)} = ${f(d)}`;
  };
  t.layers.forEach((L, l) => {
    html += `<table><caption>${tr('layer')} ${l + 1}</caption><tr><th>${tr('neuron')}</th><th>z</th><th>a</th><th>da/dz</th><th>δ</th><th>${tr('chain')}</th><th>∂C/∂w = δ·a</th></tr>`;
    const prev = l === 0 ? t.features : t.layers[l - 1].a;
    L.z.forEach((z, j) => {
      const products = prev.map((a, i) => `δ·a${sub(i + 1)} = ${fp(L.delta[j])} × ${fp(a)} = ${f(L.dC_dw[j][i])}`).join('\n');
      html += `<tr><td>${j + 1}</td>${cell(z, `z-${l}-${j}`)}${cell(L.a[j], `a-${l}-${j}`)}${L.da_dz ? cell(L.da_dz[j], `dadz-${l}-${j}`) : `<td>${L.softmax ? '–' : 1}</td>`}${cell(L.delta[j], `delta-${l}-${j}`)}<td class="chain" data-testid="chain-${l}-${j}">${chain(l, j)}</td><td title="${esc(products)}">${L.dC_dw[j].map(f).join('  ')}</td></tr>`;
    });
    html += '</table>';
  });
  $('step-result').innerHTML = html;
}

// For tests and the console: where a neuron is drawn, in client coordinates.
window.nablaPlayground = {
  neuronCenter(column, j) {
    const n = nodes.find(n => (column === 0 ? n.kind === 'input' && n.index === j : n.kind === 'neuron' && n.layer === column - 1 && n.neuron === j));
    if (!n) return null;
    const cv = $('network'), r = cv.getBoundingClientRect(), s = r.width / cv.width;
    return { x: r.left + (n.x + n.box / 2) * s, y: r.top + (n.y + n.box / 2) * s };
  },
  state: () => state,
  points: () => points,
};

readHash();
setupControls();
renderControls();
writeHash();
window.addEventListener('hashchange', () => {
  const before = JSON.stringify(cfg);
  readHash(); renderControls();
  if (JSON.stringify(cfg) !== before) configChanged();
});
window.addEventListener('pagehide', () => { if (session) navigator.sendBeacon && fetch(`/api/sessions/${session}`, { method: 'DELETE', keepalive: true }); });
poll();
