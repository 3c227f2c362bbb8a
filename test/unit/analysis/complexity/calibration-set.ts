// The calibration set: hand-written prompts labelled simple/medium/complex by the nature of the task. The
// scorer's weights were set against these (see unseen-sets.ts for prompts it was not fitted to).
import type { CalibrationItem } from './calibration.js';

const MERGE_FN = `def merge(a, b):
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i] <= b[j]:
            out.append(a[i]); i += 1
        else:
            out.append(b[j]); j += 1
    return out + a[i:] + b[j:]`;

const INVENTORY_TS = `export async function chargeOrder(orderId: string, db: Db, payments: Payments) {
  const order = await db.orders.find(orderId);
  if (order.status === 'paid') return order;
  const charge = await payments.charge(order.customerId, order.total);
  await db.orders.update(orderId, { status: 'paid', chargeId: charge.id });
  return db.orders.find(orderId);
}

export async function retryPending(db: Db, payments: Payments) {
  const pending = await db.orders.where({ status: 'pending' });
  await Promise.all(pending.map((o) => chargeOrder(o.id, db, payments)));
}

queue.on('order.created', (evt) => chargeOrder(evt.orderId, db, payments));
setInterval(() => retryPending(db, payments), 30_000);`;

const PIPELINE_PY = `import csv, json, sys
from collections import defaultdict

def load(path):
    with open(path) as f:
        return [row for row in csv.DictReader(f)]

def clean(rows):
    out = []
    for r in rows:
        if not r.get("sku"):
            continue
        r["qty"] = int(r.get("qty") or 0)
        r["price"] = float(r.get("price") or 0.0)
        out.append(r)
    return out

def aggregate(rows):
    totals = defaultdict(lambda: {"qty": 0, "revenue": 0.0})
    for r in rows:
        t = totals[r["region"]]
        t["qty"] += r["qty"]
        t["revenue"] += r["qty"] * r["price"]
    return totals

def main():
    rows = clean(load(sys.argv[1]))
    json.dump(aggregate(rows), sys.stdout, indent=2)

if __name__ == "__main__":
    main()`;

const K8S_YAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: billing
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: billing
          image: registry.local/billing:latest
          securityContext:
            privileged: true
            runAsUser: 0
          env:
            - name: DB_PASSWORD
              value: hunter2
          ports:
            - containerPort: 8080
      hostNetwork: true
---
apiVersion: v1
kind: Service
metadata:
  name: billing
spec:
  type: NodePort
  ports:
    - port: 8080
      nodePort: 30080`;

export const CALIBRATION: readonly CalibrationItem[] = [
  // simple: a fact, a greeting, a one-line transformation
  { label: 'simple', prompt: "What's the capital of France?" },
  { label: 'simple', prompt: 'Translate "good morning" into Spanish.' },
  { label: 'simple', prompt: 'How many days are in a leap year?' },
  { label: 'simple', prompt: 'Who wrote Pride and Prejudice?' },
  { label: 'simple', prompt: 'Give me a synonym for "happy".' },
  { label: 'simple', prompt: 'What time zone is Tokyo in?' },
  { label: 'simple', prompt: 'Convert 5 miles to kilometers.' },
  { label: 'simple', prompt: 'Hi! How are you today?' },
  { label: 'simple', prompt: 'Spell "necessary" backwards.' },
  { label: 'simple', prompt: 'What does HTTP stand for?' },
  { label: 'simple', prompt: 'Is a tomato a fruit or a vegetable?' },
  { label: 'simple', prompt: 'Write a haiku about autumn leaves.' },
  { label: 'simple', prompt: 'Fix the typo: "I recieved the package yesterday."' },
  { label: 'simple', prompt: 'What is 15% of 80?' },
  { label: 'simple', prompt: 'Name three primary colors.' },
  {
    label: 'simple',
    prompt:
      'Summarize in one sentence: "The meeting was moved from Tuesday to Thursday because the manager is traveling."',
  },
  { label: 'simple', prompt: "What's the boiling point of water in Fahrenheit?" },
  { label: 'simple', prompt: 'Tell me a joke about cats.' },
  { label: 'simple', prompt: '¿Cuál es la capital de Alemania?' },
  { label: 'simple', prompt: '日本の首都はどこですか？' },
  { label: 'simple', prompt: 'Что такое фотосинтез? Ответь одним предложением.' },
  { label: 'simple', prompt: 'What is the plural of "mouse"?' },
  { label: 'simple', prompt: 'Capitalize this title: "the old man and the sea".' },
  { label: 'simple', prompt: 'Suggest a fun name for a goldfish.' },
  {
    label: 'simple',
    prompt: 'Thanks, that worked!',
    history: ['How do I undo my last git commit?', 'Use `git reset --soft HEAD~1`.'],
  },

  // medium: a bounded piece of code, an explanation with parts, structured writing with a few constraints
  { label: 'medium', prompt: 'Write a Python function to merge two sorted lists, with a few unit tests.' },
  { label: 'medium', prompt: 'Explain the difference between TCP and UDP and when to use each.' },
  {
    label: 'medium',
    prompt:
      'Write a 300-word cover letter for a junior data analyst position, highlighting SQL and Excel skills.',
  },
  {
    label: 'medium',
    prompt: 'Compare the pros and cons of renting versus buying a home for a young professional.',
  },
  {
    label: 'medium',
    prompt:
      'Why does my JavaScript function return undefined?\n```js\nfunction add(a, b) {\n  a + b;\n}\n```',
  },
  {
    label: 'medium',
    prompt:
      'Convert this JSON to a TypeScript interface:\n```json\n{"id": 7, "name": "Ada", "tags": ["x"], "address": {"city": "Oslo", "zip": "0150"}}\n```',
  },
  { label: 'medium', prompt: 'Summarize the main causes of World War I in five bullet points.' },
  {
    label: 'medium',
    prompt:
      'Write a SQL query that returns the top 5 customers by total order value in 2023, given tables orders(id, customer_id, total, created_at) and customers(id, name).',
  },
  { label: 'medium', prompt: 'Explain how a hash map works internally, including collision handling.' },
  {
    label: 'medium',
    prompt: 'Plan a 3-day itinerary for Rome on a moderate budget, including museums and food.',
  },
  { label: 'medium', prompt: 'Solve for x: 3x^2 - 12x + 9 = 0, and show the steps.' },
  {
    label: 'medium',
    prompt: `Refactor this function to be more readable and add type hints:\n\`\`\`python\n${MERGE_FN}\n\`\`\``,
  },
  {
    label: 'medium',
    prompt:
      'Draft an email to my team explaining the new code review process. It must mention the two-approver rule and should be under 200 words.',
  },
  {
    label: 'medium',
    prompt:
      "What are the differences between React's useEffect and useLayoutEffect? Give an example of each.",
  },
  {
    label: 'medium',
    prompt:
      'Write a bash script that backs up a directory to a timestamped tar.gz file and deletes backups older than 7 days.',
  },
  { label: 'medium', prompt: 'Explain overfitting in machine learning and three ways to prevent it.' },
  {
    label: 'medium',
    prompt:
      'Write a regex that validates US phone numbers like (555) 555-5555 and 555-555-5555, and explain how it works.',
  },
  {
    label: 'medium',
    prompt: 'Create a weekly meal plan for a vegetarian athlete who needs 140 g of protein per day.',
  },
  {
    label: 'medium',
    prompt:
      'Compute the average price per category from this CSV and describe what stands out:\ncategory,price\nbooks,12\nbooks,18\ngames,60\ngames,45\nfood,4',
  },
  {
    label: 'medium',
    prompt:
      'Translate this paragraph into French, keeping a formal tone: "We are pleased to confirm your registration for the annual conference. Please bring a photo ID to the registration desk, where you will receive your badge and the printed programme."',
  },
  { label: 'medium', prompt: 'Explain why the sky is blue, step by step, for a high-school student.' },
  {
    label: 'medium',
    prompt: 'Now add error handling for missing files and explain the changes.',
    history: [
      'Write a Python script that counts the words in a text file.',
      '```python\nimport sys\nprint(len(open(sys.argv[1]).read().split()))\n```',
    ],
  },
  {
    label: 'medium',
    prompt: "What's the weather in Paris tomorrow, and should I bring an umbrella?",
    tools: 3,
  },
  { label: 'medium', prompt: '用Python写一个函数，判断一个字符串是否是回文，并给出测试用例。' },

  // complex: design with proofs or trade-offs, large code work, multi-part analysis under many constraints
  {
    label: 'complex',
    prompt:
      'Design a distributed rate limiter for a multi-region API gateway, prove its correctness under network partitions, and give a TLA+ specification.',
  },
  {
    label: 'complex',
    prompt:
      'Prove that there are infinitely many primes of the form 4k+3, then generalize the argument and explain precisely where it fails for primes of the form 4k+1.',
  },
  {
    label: 'complex',
    prompt:
      'Implement a lock-free multi-producer multi-consumer queue in C++ with explicit memory ordering, explain the ABA problem and how your design avoids it, and provide a stress test.',
  },
  {
    label: 'complex',
    prompt:
      'Design the database schema, API and caching strategy for a ride-sharing app serving 10 million daily users. Analyze the bottlenecks and the trade-offs between consistency and availability.',
  },
  {
    label: 'complex',
    prompt:
      'Derive the backpropagation equations for a two-layer neural network with a softmax output and cross-entropy loss, in matrix form. Use LaTeX, e.g. $\\frac{\\partial L}{\\partial W_1}$, and state the shape of every term.',
  },
  {
    label: 'complex',
    prompt:
      'Write a compiler front-end in Rust for a small expression language: tokenizer, recursive-descent parser with precedence climbing, AST, type checker and error recovery. Include tests for each stage.',
  },
  {
    label: 'complex',
    prompt: `Analyze the time and space complexity of this algorithm, prove its correctness by induction, and propose an optimized version:\n\`\`\`python\n${MERGE_FN}\n\ndef sort(xs):\n    if len(xs) <= 1:\n        return xs\n    mid = len(xs) // 2\n    return merge(sort(xs[:mid]), sort(xs[mid:]))\n\`\`\``,
  },
  {
    label: 'complex',
    prompt:
      'Compare Raft and Paxos in depth: leader election, log replication, membership changes and failure modes. Then recommend one for a 5-node metadata store and justify the choice.',
  },
  {
    label: 'complex',
    prompt: [
      'Build a REST API in Go for a library system. Requirements:',
      '- Must support books, members, loans and reservations.',
      '- Must use PostgreSQL with migrations; no ORM.',
      '- Loans must not exceed 5 per member at any time.',
      '- Reservations should be served first-come first-served.',
      '- Authentication with JWT; tokens must expire within 15 minutes.',
      '- Rate limit of at most 100 requests per minute per client.',
      '- Pagination on every list endpoint.',
      '- Provide an OpenAPI 3 specification.',
      '- At least 90% test coverage, without mocking the database.',
    ].join('\n'),
  },
  {
    label: 'complex',
    prompt:
      "Optimize this query for a 500-million-row table. Explain the query plan, propose indexes and partitioning, and discuss the write-amplification trade-offs:\n```sql\nSELECT c.region, date_trunc('day', o.created_at) AS day, sum(o.total)\nFROM orders o JOIN customers c ON c.id = o.customer_id\nWHERE o.created_at >= now() - interval '90 days' AND o.status <> 'cancelled'\nGROUP BY 1, 2 ORDER BY 1, 2;\n```",
  },
  {
    label: 'complex',
    prompt:
      'Formally verify in Lean 4 that reversing a list twice gives back the original list, and explain each tactic you use and why the induction hypothesis is strong enough.',
  },
  {
    label: 'complex',
    prompt: `Customers are sometimes charged twice. Find the race condition in this code, explain the root cause step by step, and propose a fix with tests that reproduce it:\n\`\`\`ts\n${INVENTORY_TS}\n\`\`\``,
  },
  {
    label: 'complex',
    prompt:
      'Develop a pricing model for a SaaS product with usage-based and seat-based tiers: write the revenue equations, estimate price elasticity from the data I will give you, run a sensitivity analysis, and recommend a strategy with its risks.',
  },
  {
    label: 'complex',
    prompt:
      'Write a research-style review comparing transformer efficiency techniques (sparse attention, linear attention, state-space models): a taxonomy, a trade-off table on memory, latency and quality, and the open problems.',
  },
  {
    label: 'complex',
    prompt:
      'Solve the system $\\begin{cases} 2x + 3y - z = 5 \\\\ x - y + 4z = 6 \\\\ 3x + 2y + z = 7 \\end{cases}$, prove the solution is unique, and analyze how sensitive it is to perturbations of the coefficients (condition number).',
  },
  {
    label: 'complex',
    prompt:
      'Design an end-to-end encrypted group chat protocol that supports adding and removing members with forward secrecy and post-compromise security. Compare it with MLS and analyze at least four attack scenarios.',
  },
  {
    label: 'complex',
    prompt:
      'Now reconcile the three reports, identify every discrepancy, and produce a step-by-step remediation plan with owners and deadlines.',
    tools: 8,
    history: [
      'Pull the Q3 inventory report from the warehouse system.',
      'I fetched it: 12,430 units across 3 warehouses.',
      'Also get the finance ledger and the shipping manifest for Q3.',
      'Done. The ledger shows 12,210 units and the manifest 12,395.',
      'Cross-check the SKUs with the largest differences.',
      'SKU-118 and SKU-402 differ the most; SKU-118 by 140 units.',
    ],
  },
  {
    label: 'complex',
    prompt:
      'Implement Dijkstra, A* and bidirectional search in Python for a weighted grid with obstacles, benchmark them on random maps of increasing size, and analyze when each one wins.',
  },
  {
    label: 'complex',
    prompt:
      '设计一个支持千万级用户的分布式消息队列系统，分析一致性、可用性和分区容错之间的权衡，并给出关键模块的伪代码。',
  },
  {
    label: 'complex',
    prompt:
      "Write a detailed threat model for a hospital's patient portal using STRIDE, prioritize the risks, and propose mitigations with rough cost estimates.",
  },
  {
    label: 'complex',
    prompt:
      "Derive the Black-Scholes equation from first principles using Itô's lemma, then discuss its assumptions and where they break down in real markets.",
  },
  {
    label: 'complex',
    prompt: `Port this Python data pipeline to idiomatic Rust, preserving its behaviour, adding proper error handling and parallelism with rayon, and explain each design decision:\n\`\`\`python\n${PIPELINE_PY}\n\`\`\``,
  },
  {
    label: 'complex',
    system:
      'You are a senior platform security reviewer. Follow CIS Kubernetes Benchmark v1.8. Never suggest disabling audit logging. Always give remediation as YAML.',
    prompt: `Audit this Kubernetes configuration for security issues, rank them by severity, and give remediation YAML for each:\n\`\`\`yaml\n${K8S_YAML}\n\`\`\``,
  },
  {
    label: 'complex',
    prompt:
      'Prove or give a counterexample: every continuous function on [0,1] that is differentiable almost everywhere with derivative zero almost everywhere is constant.',
  },
];
