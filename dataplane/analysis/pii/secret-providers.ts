// Provider key formats: where a match can start (its literal prefixes) or a literal it must contain, the
// token pattern, and an optional extra check. Formats follow the providers' published prefixes and
// lengths; each pattern is one bounded run after a fixed prefix, so matching stays linear.

export interface ProviderRule {
  readonly subtype: string;
  /**
   * Literals every match begins with. The pattern's look-behind forbids a letter before them and the whole
   * key consists of key characters (token-runs.ts), so the scanner tries the rule only where one of these
   * opens a run of key characters or follows a digit or symbol inside one.
   */
  readonly prefixes?: readonly string[];
  /**
   * Literals of which every reported key contains one: the rule runs only when the text includes one. A
   * rule without prefixes then searches the whole text.
   */
  readonly hints?: readonly string[];
  /** Regex source, compiled once per scanner (sticky for prefix rules, global for hint rules). */
  readonly source: string;
  readonly confidence: number;
  readonly check?: (token: string) => boolean;
}

/** Not glued to a preceding letter (digits and `_` may precede: `MY_tskey-...`, env dumps). */
const START = '(?<![A-Za-z])';
/** Not followed by another token character, so a longer run is not cut into a "key". */
const END = '(?![A-Za-z0-9_-])';

export const PROVIDER_RULES: readonly ProviderRule[] = [
  {
    subtype: 'anthropic',
    prefixes: ['sk-ant-'],
    // Anthropic keys end in "AA"; a different ending is a mangled or made-up key.
    source: `${START}sk-ant-(?:api|admin|oat|sid)\\d{2}-[A-Za-z0-9_-]{80,110}AA${END}`,
    confidence: 0.99,
  },
  {
    subtype: 'openai',
    prefixes: ['sk-'],
    hints: ['T3BlbkFJ'],
    // Every OpenAI key (legacy sk-, sk-proj-, sk-svcacct-, sk-admin-) embeds "T3BlbkFJ" (base64 "OpenAI").
    source: `${START}sk-[A-Za-z0-9_-]{20,300}${END}`,
    confidence: 0.99,
    check: (token) => token.includes('T3BlbkFJ'),
  },
  {
    subtype: 'openai',
    prefixes: ['sk-proj-', 'sk-svcacct-', 'sk-admin-'],
    // OpenAI's own prefixes are specific enough without the marker (new formats, truncated pastes).
    source: `${START}sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,300}${END}`,
    confidence: 0.85,
  },
  {
    subtype: 'aws_access_key',
    prefixes: ['AKIA', 'ASIA', 'ABIA', 'ACCA'],
    source: '(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Za-z0-9])',
    confidence: 0.95,
  },
  {
    subtype: 'github',
    prefixes: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    source: `${START}(?:gh[pousr]_[A-Za-z0-9]{36}(?![A-Za-z0-9_])|ghs_\\d{1,12}_eyJ[A-Za-z0-9_-]{8,2000}\\.[A-Za-z0-9_-]{8,4000}\\.[A-Za-z0-9_-]{8,1000}${END})`,
    confidence: 0.99,
  },
  {
    subtype: 'github',
    prefixes: ['github_pat_'],
    source: `${START}github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}${END}`,
    confidence: 0.99,
  },
  {
    subtype: 'gitlab',
    prefixes: ['glpat-', 'gldt-', 'glrt-', 'glptt-', 'glft-', 'glsoat-', 'glcbt-'],
    source: `${START}(?:glpat|gldt|glrt|glptt|glft|glsoat|glcbt)-[A-Za-z0-9_-]{20,64}${END}`,
    confidence: 0.95,
  },
  {
    subtype: 'google',
    prefixes: ['AIza'],
    source: `${START}AIza[0-9A-Za-z_-]{35}${END}`,
    // Often a browser key restricted by referrer, hence below the other providers.
    confidence: 0.9,
  },
  {
    subtype: 'slack',
    prefixes: ['xoxb-', 'xoxp-'],
    source: `${START}xox[bp]-\\d{10,13}-\\d{10,13}-(?:\\d{10,13}-)?[A-Za-z0-9]{20,40}(?![A-Za-z0-9])`,
    confidence: 0.95,
  },
  {
    subtype: 'slack_webhook',
    // Hints open with a character rare in prose: string search jumps between occurrences of the first one.
    hints: ['://hooks.slack.com/'],
    source: 'https?://hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/+-]{20,160}',
    confidence: 0.95,
  },
  {
    subtype: 'stripe',
    prefixes: ['sk_live_', 'rk_live_'],
    source: `${START}(?:sk|rk)_live_[A-Za-z0-9]{16,247}(?![A-Za-z0-9])`,
    confidence: 0.99,
  },
  {
    subtype: 'stripe',
    prefixes: ['sk_test_', 'rk_test_'],
    // Test-mode keys move no money but still grant API access to the account's test data.
    source: `${START}(?:sk|rk)_test_[A-Za-z0-9]{16,247}(?![A-Za-z0-9])`,
    confidence: 0.7,
  },
  {
    subtype: 'stripe',
    prefixes: ['whsec_'],
    source: `${START}whsec_[A-Za-z0-9+/=]{32,100}${END}`,
    confidence: 0.9,
  },
  {
    subtype: 'sendgrid',
    hints: ['SG.'],
    source: 'SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])',
    confidence: 0.95,
  },
  { subtype: 'huggingface', prefixes: ['hf_'], source: `${START}hf_[A-Za-z]{34}${END}`, confidence: 0.9 },
  {
    subtype: 'notion',
    prefixes: ['ntn_'],
    source: '(?<![A-Za-z0-9])ntn_\\d{11}[A-Za-z0-9]{35}(?![A-Za-z0-9])',
    confidence: 0.95,
  },
  {
    subtype: 'figma',
    prefixes: ['figd_'],
    source: `${START}figd_[A-Za-z0-9_-]{40,80}${END}`,
    confidence: 0.95,
  },
  {
    subtype: 'grafana',
    prefixes: ['glc_', 'glsa_'],
    source: `${START}(?:glc_[A-Za-z0-9+/]{32,400}={0,2}(?![A-Za-z0-9+/=])|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}(?![A-Za-z0-9]))`,
    confidence: 0.95,
  },
  {
    subtype: 'hashicorp_vault',
    prefixes: ['hvs.', 'hvb.', 'hvr.'],
    source: `${START}hv[sbr]\\.[A-Za-z0-9_-]{24,500}${END}`,
    confidence: 0.95,
  },
  {
    subtype: 'tailscale',
    prefixes: ['tskey-'],
    source: `${START}tskey-[a-z]{2,16}-[A-Za-z0-9]{6,20}-[A-Za-z0-9]{16,64}(?![A-Za-z0-9])`,
    confidence: 0.95,
  },
  {
    subtype: 'cloudflare',
    prefixes: ['cfat_', 'cfut_', 'cfk_'],
    source: `${START}(?:cfat|cfut|cfk)_[A-Za-z0-9]{48}(?![A-Za-z0-9])`,
    confidence: 0.95,
  },
  {
    subtype: 'databricks',
    prefixes: ['dapi'],
    source: `${START}dapi[a-f0-9]{32}(?:-\\d)?(?![A-Za-z0-9])`,
    confidence: 0.9,
  },
  {
    subtype: 'npm',
    prefixes: ['npm_'],
    source: `${START}npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])`,
    confidence: 0.95,
  },
  {
    subtype: 'pypi',
    prefixes: ['pypi-'],
    source: `${START}pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,400}${END}`,
    confidence: 0.99,
  },
  {
    subtype: 'groq',
    prefixes: ['gsk_'],
    source: `${START}gsk_[A-Za-z0-9]{52}(?![A-Za-z0-9])`,
    confidence: 0.95,
  },
  {
    subtype: 'perplexity',
    prefixes: ['pplx-'],
    source: `${START}pplx-[A-Za-z0-9]{48}(?![A-Za-z0-9])`,
    confidence: 0.95,
  },
  {
    subtype: 'xai',
    prefixes: ['xai-'],
    source: `${START}xai-[A-Za-z0-9]{80}(?![A-Za-z0-9])`,
    confidence: 0.95,
  },
  {
    subtype: 'shopify',
    prefixes: ['shpat_', 'shpca_', 'shppa_', 'shpss_'],
    source: `${START}shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}(?![A-Za-z0-9])`,
    confidence: 0.95,
  },
  {
    subtype: 'linear',
    prefixes: ['lin_api_'],
    source: `${START}lin_api_[A-Za-z0-9]{40}(?![A-Za-z0-9])`,
    confidence: 0.95,
  },
  {
    subtype: 'digitalocean',
    prefixes: ['dop_v1_', 'doo_v1_', 'dor_v1_'],
    source: `${START}do[opr]_v1_[a-f0-9]{64}(?![A-Za-z0-9])`,
    confidence: 0.95,
  },
  {
    subtype: 'sourcegraph',
    prefixes: ['sgp_'],
    source: `${START}sgp_(?:[a-fA-F0-9]{16}|local)_[a-fA-F0-9]{40}(?![A-Za-z0-9])`,
    confidence: 0.95,
  },
  {
    subtype: 'intra42',
    prefixes: ['s-s4t2'],
    source: `${START}s-s4t2(?:ud|af)-[a-f0-9]{64}(?![A-Za-z0-9])`,
    confidence: 0.95,
  },
  {
    subtype: 'facebook',
    prefixes: ['EAA'],
    // Page/user access tokens: "EAA" and a long alphanumeric body.
    source: '(?<![A-Za-z0-9])EAA[A-Za-z0-9]{90,500}(?![A-Za-z0-9])',
    confidence: 0.9,
  },
  {
    subtype: 'onepassword',
    prefixes: ['ops_eyJ'],
    source: `${START}ops_eyJ[A-Za-z0-9+/=_-]{100,4000}(?![A-Za-z0-9+/=_-])`,
    confidence: 0.95,
  },
  {
    subtype: 'azure_ad',
    hints: ['Q~'],
    // Entra ID (Azure AD) client secrets: three characters, a digit, "Q~", then 31-34 characters.
    source: '(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}\\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])',
    confidence: 0.9,
  },
  {
    subtype: 'gcp_service_account',
    hints: ['_account"'],
    // The marker of a service-account key file: the private key and client e-mail follow it.
    source: '"type"\\s{0,8}:\\s{0,8}"service_account"',
    confidence: 0.6,
  },
];
