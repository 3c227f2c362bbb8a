// Prompts the complexity weights were not fitted to: HOLDOUT (scored once, then its misses informed lexicon
// additions) and FRESH (written and scored once after all tuning). Labelled by the nature of the task.
import type { CalibrationItem } from './calibration.js';

/**
 * Written after the weights were set and never used to tune them: accuracy here is the honest estimate of
 * how the scorer does on prompts it was not fitted to.
 */
export const HOLDOUT: readonly CalibrationItem[] = [
  { label: 'simple', prompt: 'What year did the Berlin Wall fall?' },
  { label: 'simple', prompt: 'How do you say "thank you" in Japanese?' },
  { label: 'simple', prompt: 'Round 3.14159 to two decimal places.' },
  { label: 'simple', prompt: 'What\'s the opposite of "generous"?' },
  { label: 'simple', prompt: 'Good night! Talk tomorrow.' },
  { label: 'simple', prompt: 'Which planet is closest to the sun?' },
  { label: 'simple', prompt: 'Make this sentence passive: "The cat chased the mouse."' },
  { label: 'simple', prompt: 'How many ounces are in a pound?' },
  { label: 'simple', prompt: 'Quelle est la couleur du ciel ?' },
  { label: 'simple', prompt: 'List the days of the week in German.' },

  {
    label: 'medium',
    prompt: 'Write a JavaScript function that debounces another function, and show how to use it.',
  },
  {
    label: 'medium',
    prompt:
      'What are the main differences between a mutex and a semaphore? Give an example where each is the right choice.',
  },
  {
    label: 'medium',
    prompt:
      'Write a friendly 150-word product description for a stainless-steel water bottle aimed at hikers.',
  },
  {
    label: 'medium',
    prompt:
      'My Python code throws "KeyError: \'name\'" when reading a JSON file. What are the likely causes and how do I fix them?',
  },
  {
    label: 'medium',
    prompt: 'Create a study schedule for learning basic statistics in four weeks, with weekly goals.',
  },
  {
    label: 'medium',
    prompt:
      'Explain how public-key cryptography lets two people communicate securely without sharing a secret first.',
  },
  {
    label: 'medium',
    prompt: 'Write a Dockerfile for a Node.js 20 app that runs as a non-root user and exposes port 3000.',
  },
  {
    label: 'medium',
    prompt:
      'Calculate the monthly payment on a $250,000 mortgage at 6% annual interest over 30 years, and explain the formula.',
  },
  {
    label: 'medium',
    prompt: 'Summarize the plot of Hamlet and explain the significance of the play-within-a-play.',
  },
  {
    label: 'medium',
    prompt: 'Escribe una función en JavaScript que cuente las vocales de una cadena y añade ejemplos de uso.',
  },

  {
    label: 'complex',
    prompt:
      'Design a multi-tenant job scheduler that guarantees at-least-once execution, handles worker crashes and clock skew, and scales to 100k jobs per second; describe the data model, failure handling and give pseudocode for the lease protocol.',
  },
  {
    label: 'complex',
    prompt:
      "Prove that the halting problem is undecidable, then explain how Rice's theorem follows from it and give two practical consequences for static analysis tools.",
  },
  {
    label: 'complex',
    prompt:
      'Implement a B-tree in Java with insert, delete and range scan, explain how node splits and merges keep it balanced, and write property-based tests.',
  },
  {
    label: 'complex',
    prompt:
      'Compare three approaches to eventual consistency in collaborative editors (OT, CRDTs and server-side locking), analyze their correctness guarantees and performance, and recommend one for an offline-first mobile app.',
  },
  {
    label: 'complex',
    prompt:
      'Our PostgreSQL primary hits 100% CPU every night at 2am. Given the logs below, identify the root cause, explain the chain of events, and propose short- and long-term fixes.\n```\n2024-03-01 02:00:01 LOG: checkpoint starting: time\n2024-03-01 02:00:03 LOG: automatic vacuum of table "public.events": index scans: 14\n2024-03-01 02:00:09 LOG: duration: 48211.332 ms statement: SELECT * FROM events WHERE payload::text LIKE \'%refund%\'\n2024-03-01 02:01:12 LOG: checkpoints are occurring too frequently (9 seconds apart)\n```',
  },
  {
    label: 'complex',
    prompt:
      'Derive the closed-form solution of ridge regression, show that it is always well-defined for a positive regularization parameter, and analyze its bias-variance trade-off as lambda grows.',
  },
  {
    label: 'complex',
    prompt:
      'Write a technical proposal for migrating a monolithic e-commerce application to microservices: service boundaries, data ownership, migration phases, risks, rollback strategy and a timeline.',
  },
  {
    label: 'complex',
    prompt:
      'Given this Go HTTP handler, find the concurrency bugs, explain each with a failing interleaving, and rewrite it safely:\n```go\nvar cache = map[string][]byte{}\nfunc handler(w http.ResponseWriter, r *http.Request) {\n  key := r.URL.Path\n  if v, ok := cache[key]; ok { w.Write(v); return }\n  go func() { cache[key] = fetch(key) }()\n  w.WriteHeader(202)\n}\n```',
  },
  {
    label: 'complex',
    prompt:
      'Develop a Monte Carlo simulation to estimate the value at risk of a portfolio of three correlated assets, explain the Cholesky step, and discuss the limitations of the approach.',
  },
  {
    label: 'complex',
    prompt:
      '请详细比较 Kafka 和 RabbitMQ 的架构设计，分析它们在吞吐量、延迟和可靠性方面的权衡，并针对一个金融交易系统给出选型建议和理由。',
  },
];

/** A second unseen set, written and scored once after all tuning (including on HOLDOUT) was finished. */
export const FRESH: readonly CalibrationItem[] = [
  { label: 'simple', prompt: 'Who painted the Mona Lisa?' },
  { label: 'simple', prompt: 'Give me an antonym of "ancient".' },
  { label: 'simple', prompt: 'What is the square root of 144?' },
  { label: 'simple', prompt: 'Wie spät ist es in New York, wenn es in Berlin 15 Uhr ist?' },
  { label: 'simple', prompt: 'Rewrite "u r late" in proper English.' },
  {
    label: 'medium',
    prompt: 'Write a Go function that reverses a linked list in place and include a table-driven test.',
  },
  {
    label: 'medium',
    prompt: 'Explain the difference between stocks and bonds for a beginner, with one example of each.',
  },
  {
    label: 'medium',
    prompt: 'Draft a polite 120-word email asking my landlord to fix the heating this week.',
  },
  {
    label: 'medium',
    prompt: 'Why does my CSS flexbox layout overflow on small screens? Suggest two ways to fix it.',
  },
  { label: 'medium', prompt: 'Outline a five-step onboarding checklist for new remote employees.' },
  {
    label: 'complex',
    prompt:
      'Design a globally distributed key-value store with tunable consistency, explain how you would handle network partitions and hot keys, and estimate the hardware needed for 2 million writes per second.',
  },
  {
    label: 'complex',
    prompt:
      'Prove that every planar graph is 5-colorable, then explain why the same style of argument does not easily give 4 colors.',
  },
  {
    label: 'complex',
    prompt:
      'Implement an LRU cache with O(1) operations in Rust that is safe to share across threads, benchmark it against a mutex-wrapped HashMap, and explain the trade-offs of your locking strategy.',
  },
  {
    label: 'complex',
    prompt:
      'Analyze the causes of the 2008 financial crisis across housing, banking regulation and monetary policy, compare competing explanations, and assess which reforms since then have reduced systemic risk.',
  },
  {
    label: 'complex',
    prompt:
      'Build a CI/CD pipeline for a monorepo with 40 services: incremental builds, test selection, canary deploys and automatic rollback. Give the pipeline configuration and explain the failure handling.',
  },
];
