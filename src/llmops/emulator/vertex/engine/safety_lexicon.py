"""The safety lexicon: every rule the emulated safety scorer applies, in one readable table.

How a text is scored (see `safety.py`):

- The text is lower-cased and each rule's regular expression is searched in it. A rule fires
  once per text however often it matches.
- A rule gives a probability and a severity score for one or more of Vertex's four rated harm
  categories (`RATED`), and scores for the PaLM-style topic categories (`categories`/`scores`
  of Vertex's text-model safety attributes).
- Per category the scores of the rules that fired combine as a noisy-or, `1 - prod(1 - s)`, so
  two independent LOW signals add up to MEDIUM; a category no rule touched gets the baseline
  `BASELINE_SCORE`. Scores are rounded to one decimal.
- Buckets from the rounded score: 0.0-0.2 NEGLIGIBLE, 0.3-0.4 LOW, 0.5-0.6 MEDIUM, 0.7-1.0 HIGH.
- Blocking compares the probability bucket with the category's threshold
  (BLOCK_LOW_AND_ABOVE, BLOCK_MEDIUM_AND_ABOVE (the default), BLOCK_ONLY_HIGH, BLOCK_NONE).

The rules are written for a Stack Overflow workload: programming words that look violent
("kill the process", "fork bomb", "child process", "execute", "abort", "master/slave") do not
fire; threats need a person as their target ("I will kill you"), slurs and dehumanising
statements about groups score HIGH for hate speech.

Slurs are stored ROT13-encoded (`_rot13`) so that this source file reads cleanly; decoding is
one call (`codecs.decode(s, "rot13")`) and the tests decode them to check they score HIGH.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

DANGEROUS = "HARM_CATEGORY_DANGEROUS_CONTENT"
HARASSMENT = "HARM_CATEGORY_HARASSMENT"
HATE = "HARM_CATEGORY_HATE_SPEECH"
SEXUAL = "HARM_CATEGORY_SEXUALLY_EXPLICIT"

RATED = (DANGEROUS, HARASSMENT, HATE, SEXUAL)
"""Vertex's four rated harm categories, in the order ratings are reported."""

DISPLAY_NAMES = {
    DANGEROUS: "Dangerous Content",
    HARASSMENT: "Harassment",
    HATE: "Hate Speech",
    SEXUAL: "Sexually Explicit",
}
"""The names text-bison's `safetyRatings` use for the same categories."""

TOPICS = (
    "Death, Harm & Tragedy",
    "Derogatory",
    "Finance",
    "Firearms & Weapons",
    "Health",
    "Illicit Drugs",
    "Insult",
    "Legal",
    "Politics",
    "Profanity",
    "Public Safety",
    "Religion & Belief",
    "Sexual",
    "Toxic",
    "Violent",
    "War & Conflict",
)
"""The PaLM text-model safety categories reported in `categories`/`scores`."""

BASELINE_SCORE = 0.1
"""Probability and severity of a rated category that no rule touched (Vertex never says 0)."""


@dataclass(frozen=True)
class Rule:
    """One lexicon entry: a regular expression and the scores it contributes when it matches."""

    name: str
    pattern: str
    rated: dict[str, tuple[float, float]] = field(default_factory=dict)  # category -> (prob, sev)
    topics: dict[str, float] = field(default_factory=dict)
    anchors: tuple[str, ...] = ()
    """Word prefixes of which every match contains at least one: the scorer runs the rule's
    expression only on texts that have a word starting with one of them (an empty tuple:
    always). A test checks that this shortcut never changes a score."""


def _rot13(*words: str) -> tuple[str, ...]:
    return tuple(codecs.decode(w, "rot13") for w in words)


def _a(words: str) -> tuple[str, ...]:
    return tuple(words.split())


_SLURS = _rot13(
    "avttre", "avttn", "xvxr", "fcvp", "tbbx", "snttbg", "genaal", "jrgonpx", "enturnq", "gbjryurnq", "xnssve", "ornare"
)


_I_WILL = r"(?:i|we)(?:'ll|\s+will|\s+shall|'m\s+going\s+to|\s+am\s+going\s+to|'re\s+going\s+to|\s+are\s+going\s+to|'m\s+gonna|\s+am\s+gonna|\s+gonna)"
_HARM_VERB = r"(?:kill|murder|hurt|shoot|stab|strangle|beat\s+up|rape|slaughter|behead|torture|butcher|choke)"
_PERSON = r"(?:you|u|him|her|them|ya|your\s+\w+|his\s+\w+|her\s+\w+|their\s+\w+)"
_GROUP = (
    r"(?:jews|muslims|christians|hindus|sikhs|arabs|asians|mexicans|africans|immigrants|refugees|"
    r"gays|lesbians|homosexuals|(?:black|white|brown|gay|trans|transgender|disabled|jewish|muslim)\s+people|"
    r"blacks|whites|women|gypsies|roma)"
)
_HOW_TO_MAKE = (
    r"(?:how\s+(?:do\s+i|can\s+i|would\s+i|to|do\s+you)|instructions\s+(?:for|to)|steps\s+to|recipe\s+for|guide\s+to|teach\s+me\s+to)\s+"
    r"(?:make|build|create|assemble|synthesi[sz]e|cook|produce|manufacture)\s+(?:a\s+|an\s+|some\s+)?"
)
_WEAPONS = (
    r"(?:pipe\s+bomb|bomb|explosive|ied|napalm|molotov(?:\s+cocktail)?|nerve\s+agent|sarin|ricin|anthrax|"
    r"bioweapon|chemical\s+weapon|dirty\s+bomb|ghost\s+gun|thermite\s+grenade)"
)
_HARD_DRUGS = r"(?:meth|methamphetamine|crystal\s+meth|crack\s+cocaine|fentanyl|heroin|lsd|mdma)"
_NOT_PROGRAMMING = r"(?!(?:zip|fork|logic|css|json|xml|git)\s)"

RULES: tuple[Rule, ...] = (
    # --- threats against a person: Harassment HIGH, Dangerous MEDIUM -------------------------
    Rule(
        "threat-first-person",
        rf"\b{_I_WILL}\s+(?:\w+\s+)?{_HARM_VERB}\s+{_PERSON}\b",
        {HARASSMENT: (0.9, 0.9), DANGEROUS: (0.6, 0.7)},
        {"Violent": 0.9, "Toxic": 0.8, "Death, Harm & Tragedy": 0.5},
        _a("kill murder hurt shoot stab strangle beat rape slaughter behead torture butcher choke"),
    ),
    Rule(
        "threat-you-will-die",
        r"\byou(?:'re|\s+are)?\s+(?:will|going\s+to|gonna)\s+die\b|\bi\s+hope\s+you\s+die\b|\bdie\s+in\s+a\s+fire\b",
        {HARASSMENT: (0.9, 0.8), DANGEROUS: (0.5, 0.5)},
        {"Violent": 0.8, "Toxic": 0.8, "Death, Harm & Tragedy": 0.6},
        _a("die"),
    ),
    Rule(
        "threat-stalking",
        r"\bi\s+(?:know|will\s+find|'ll\s+find)\s+where\s+you\s+live\b|\bi(?:'ll|\s+will)\s+find\s+you\b",
        {HARASSMENT: (0.8, 0.7), DANGEROUS: (0.4, 0.4)},
        {"Violent": 0.6, "Toxic": 0.6},
        _a("live find"),
    ),
    Rule(
        "incite-self-harm",
        r"\b(?:kill|hang|shoot)\s+yourself\b|\bkys\b",
        {HARASSMENT: (0.9, 0.9), DANGEROUS: (0.7, 0.8)},
        {"Violent": 0.8, "Toxic": 0.9, "Death, Harm & Tragedy": 0.8},
        _a("yourself kys"),
    ),
    # --- dangerous content ------------------------------------------------------------------------
    Rule(
        "weapon-or-drug-instructions",
        rf"\b{_HOW_TO_MAKE}{_NOT_PROGRAMMING}(?:\w+\s+)?{_WEAPONS}s?\b",
        {DANGEROUS: (0.9, 0.9)},
        {"Firearms & Weapons": 0.7, "Public Safety": 0.7, "Violent": 0.6},
        _a("bomb explosive ied napalm molotov nerve sarin ricin anthrax bioweapon chemical dirty ghost thermite"),
    ),
    Rule(
        "drug-synthesis",
        rf"\b{_HOW_TO_MAKE}(?:\w+\s+)?{_HARD_DRUGS}\b",
        {DANGEROUS: (0.8, 0.8)},
        {"Illicit Drugs": 0.9, "Health": 0.4},
        _a("meth crack crystal fentanyl heroin lsd mdma"),
    ),
    Rule(
        "self-harm-method",
        r"\b(?:how\s+to|ways\s+to|best\s+way\s+to|help\s+me)\s+(?:kill\s+myself|commit\s+suicide|end\s+my\s+life|hurt\s+myself)\b",
        {DANGEROUS: (0.9, 0.9)},
        {"Death, Harm & Tragedy": 0.9, "Health": 0.5},
        _a("myself suicide life"),
    ),
    Rule(
        "mass-harm-agent",
        r"\b(?:pipe\s+bomb|nerve\s+agent|sarin|ricin|anthrax|bioweapon|chemical\s+weapon|dirty\s+bomb|napalm)s?\b",
        {DANGEROUS: (0.5, 0.6)},
        {"Firearms & Weapons": 0.5, "Public Safety": 0.6, "War & Conflict": 0.3},
        _a("bomb nerve sarin ricin anthrax bioweapon chemical dirty napalm"),
    ),
    Rule(
        "weapons",
        r"(?<!zip\s)(?<!fork\s)(?<!logic\s)\b(?:bombs?|explosives?|detonat\w*|grenades?|firearms?|handguns?|rifles?|ammunition|weapons?)\b",
        {DANGEROUS: (0.3, 0.2)},
        {"Firearms & Weapons": 0.5, "Violent": 0.2},
        _a("bomb explosive detonat grenade firearm handgun rifle ammunition weapon"),
    ),
    Rule(
        "hard-drugs",
        r"\b(?:cocaine|heroin|fentanyl|methamphetamine|crystal\s+meth|lsd|mdma)\b",
        {DANGEROUS: (0.3, 0.3)},
        {"Illicit Drugs": 0.7, "Health": 0.2},
        _a("cocaine heroin fentanyl methamphetamine crystal lsd mdma"),
    ),
    # --- hate speech --------------------------------------------------------------------------------
    Rule(
        "slur",
        r"\b(?:" + "|".join(_SLURS) + r")s?\b",
        {HATE: (0.9, 0.8), HARASSMENT: (0.6, 0.5)},
        {"Derogatory": 0.9, "Toxic": 0.8, "Insult": 0.6},
        _SLURS,
    ),
    Rule(
        "dehumanise-group",
        rf"\b(?:all\s+)?{_GROUP}\s+(?:are|is)\s+(?:all\s+)?(?:vermin|animals|subhuman|parasites|scum|rats|cockroaches|filth|inferior|a\s+disease)\b",
        {HATE: (0.9, 0.8)},
        {"Derogatory": 0.9, "Toxic": 0.8},
        _a("vermin animals subhuman parasites scum rats cockroaches filth inferior disease"),
    ),
    Rule(
        "violence-against-group",
        rf"\b(?:kill|exterminate|gas|eradicate|wipe\s+out|get\s+rid\s+of)\s+(?:all\s+(?:the\s+)?|the\s+)?{_GROUP}\b",
        {HATE: (0.9, 0.9), DANGEROUS: (0.6, 0.7)},
        {"Derogatory": 0.8, "Violent": 0.9, "Toxic": 0.9},
        _a("kill exterminate gas eradicate wipe rid"),
    ),
    Rule(
        "hate-group",
        rf"\bi\s+(?:hate|despise)\s+(?:all\s+)?{_GROUP}\b",
        {HATE: (0.6, 0.5)},
        {"Derogatory": 0.7, "Toxic": 0.6},
        _a("hate despise"),
    ),
    # --- harassment -----------------------------------------------------------------------------------
    Rule(
        "directed-insult",
        r"\byou(?:'re|\s+are)\s+(?:such\s+)?(?:an?\s+|the\s+)?(?:\w+\s+)?(?:idiot|moron|imbecile|stupid|dumb|worthless|pathetic|loser|retard(?:ed)?|piece\s+of\s+shit|waste\s+of\s+space)\b",
        {HARASSMENT: (0.6, 0.5)},
        {"Insult": 0.8, "Toxic": 0.6},
        _a("idiot moron imbecile stupid dumb worthless pathetic loser retard piece waste"),
    ),
    Rule(
        "directed-profanity",
        r"\b(?:fuck|screw)\s+(?:you|u|off)\b|\bshut\s+(?:the\s+fuck\s+)?up\b|\bgo\s+to\s+hell\b",
        {HARASSMENT: (0.7, 0.5)},
        {"Insult": 0.7, "Profanity": 0.8, "Toxic": 0.7},
        _a("fuck screw shut hell"),
    ),
    Rule(
        "insult-word",
        r"\b(?:idiots?|morons?|imbeciles?|dumbass|retards?|losers?)\b",
        {HARASSMENT: (0.3, 0.2)},
        {"Insult": 0.5, "Toxic": 0.3},
        _a("idiot moron imbecile dumbass retard loser"),
    ),
    Rule(
        "abusive-word",
        r"\b(?:bitch(?:es)?|cunts?|assholes?|bastards?|dickheads?|whores?|sluts?)\b",
        {HARASSMENT: (0.4, 0.3), SEXUAL: (0.2, 0.1)},
        {"Insult": 0.7, "Profanity": 0.8, "Toxic": 0.6},
        _a("bitch cunt asshole bastard dickhead whore slut"),
    ),
    Rule(
        "profanity",
        r"\b(?:fuck\w*|shit\w*|crap|damn|wtf)\b",
        {HARASSMENT: (0.2, 0.1)},
        {"Profanity": 0.6, "Toxic": 0.3},
        _a("fuck shit crap damn wtf"),
    ),
    # --- sexually explicit ------------------------------------------------------------------------------
    Rule(
        "sexual-minors",
        r"\b(?:child|children|kid|kids|minor|minors|underage|preteen)\s+(?:\w+\s+)?(?:porn\w*|sex\w*|nudes?|naked|erotic\w*)\b",
        {SEXUAL: (1.0, 1.0), DANGEROUS: (0.7, 0.9)},
        {"Sexual": 1.0, "Toxic": 0.9},
        _a("porn sex nude naked erotic"),
    ),
    Rule(
        "pornography",
        r"\b(?:porn\w*|hardcore\s+sex|blowjobs?|handjobs?|explicit\s+sex\w*|erotic\s+(?:story|stories|roleplay|fiction))\b",
        {SEXUAL: (0.8, 0.8)},
        {"Sexual": 0.9},
        _a("porn hardcore blowjob handjob explicit erotic"),
    ),
    Rule(
        "sexual-act",
        r"\b(?:have|having|had)\s+sex\s+with\b|\b(?:orgasms?|nudes)\b",
        {SEXUAL: (0.6, 0.6)},
        {"Sexual": 0.8},
        _a("sex orgasm nudes"),
    ),
    Rule(
        "sexual-word",
        r"\b(?:nude|naked|sexy|sexual(?:ly)?|erotic)\b",
        {SEXUAL: (0.3, 0.3)},
        {"Sexual": 0.5},
        _a("nude naked sexy sexual erotic"),
    ),
    # --- topics only: reported in categories/scores, never blocked -------------------------------
    Rule(
        "topic-death",
        r"\b(?:death|deaths|died|suicide|murder\w*|funeral|killed)\b",
        {},
        {"Death, Harm & Tragedy": 0.4},
        _a("death died suicide murder funeral killed"),
    ),
    Rule("topic-sex", r"\bsex\b", {}, {"Sexual": 0.2}, _a("sex")),
    Rule(
        "topic-finance",
        r"\b(?:money|bank\w*|stocks?|invest\w*|loans?|taxes|tax|payments?|bitcoin|finance|financial|salary|prices?)\b",
        {},
        {"Finance": 0.2},
        _a("money bank stock invest loan tax payment bitcoin financ salary price"),
    ),
    Rule(
        "topic-health",
        r"\b(?:health|doctors?|medicine|medical|disease|hospital|patients?|symptoms?|covid)\b",
        {},
        {"Health": 0.2},
        _a("health doctor medicine medical disease hospital patient symptom covid"),
    ),
    Rule(
        "topic-legal",
        r"\b(?:lawyers?|lawsuits?|court|illegal|legally|attorney)\b",
        {},
        {"Legal": 0.2},
        _a("lawyer lawsuit court illegal legally attorney"),
    ),
    Rule(
        "topic-politics",
        r"\b(?:elections?|president|government|politic\w*|votes?|voting|senator|parliament)\b",
        {},
        {"Politics": 0.2},
        _a("election president government politic vote voting senator parliament"),
    ),
    Rule(
        "topic-religion",
        r"\b(?:god|church|religion|religious|bible|quran|pray\w*|mosque|synagogue)\b",
        {},
        {"Religion & Belief": 0.2},
        _a("god church religion religious bible quran pray mosque synagogue"),
    ),
    Rule(
        "topic-war",
        r"\b(?:war|wars|army|military|soldiers?|missiles?|invasion)\b",
        {},
        {"War & Conflict": 0.2},
        _a("war army military soldier missile invasion"),
    ),
    Rule(
        "topic-drugs",
        r"\b(?:drugs?|marijuana|cannabis|weed)\b",
        {},
        {"Illicit Drugs": 0.2},
        _a("drug marijuana cannabis weed"),
    ),
    Rule(
        "topic-public-safety",
        r"\b(?:police|emergency|firefighters?|terroris\w*|shooting)\b",
        {},
        {"Public Safety": 0.3},
        _a("police emergency firefighter terroris shooting"),
    ),
)
"""Every rule, in the order they are reported when tracing a score."""
