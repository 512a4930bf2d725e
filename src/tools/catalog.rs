//! The LAT tools, in the seeds' words where they give them. A change of wording or
//! fields is a new version appended to a tool's `versions`; old versions stay, so old
//! answers keep the definition they were given under.

use super::definition::{Choice, Definition, Field, Kind, Measure, NO_TEXT, Section, Text, Tool};
use crate::vocab::{MeasurementKind, Scale};

const fn field(key: &'static str, label: Text, kind: Kind, required: bool) -> Field {
    Field {
        key,
        label,
        hint: NO_TEXT,
        kind,
        required,
    }
}

const fn hinted(key: &'static str, label: Text, hint: Text, kind: Kind, required: bool) -> Field {
    Field {
        key,
        label,
        hint,
        kind,
        required,
    }
}

const ZERO_TEN: Kind = Kind::Scale {
    min: 0,
    max: 10,
    low: Text::new("stor bekymring", "great concern"),
    high: Text::new("ingen bekymring", "no concern"),
};

// Balanced risk assessment — inspired by Signs of Safety (a trademark; its material is
// not reused): worries, what works well, what needs to happen, and each party's scale.
const RISK_V1: Definition = Definition {
    version: 1,
    sections: &[
        Section {
            title: Text::new("Hvad er vi bekymrede for?", "What are we worried about?"),
            intro: Text::new(
                "Risikofaktorer og op til tre bekymringsudsagn i et sprog, alle parter forstår.",
                "Risk factors and up to three statements of worry in plain language.",
            ),
            fields: &[
                field(
                    "worry_1",
                    Text::new("Bekymring 1", "Worry 1"),
                    Kind::LongText,
                    true,
                ),
                field(
                    "worry_2",
                    Text::new("Bekymring 2", "Worry 2"),
                    Kind::LongText,
                    false,
                ),
                field(
                    "worry_3",
                    Text::new("Bekymring 3", "Worry 3"),
                    Kind::LongText,
                    false,
                ),
                field(
                    "risk_factors",
                    Text::new("Risikofaktorer", "Risk factors"),
                    Kind::LongText,
                    false,
                ),
            ],
        },
        Section {
            title: Text::new("Hvad går godt?", "What is working well?"),
            intro: Text::new(
                "Ressourcer og beskyttende faktorer.",
                "Resources and protective factors.",
            ),
            fields: &[field(
                "working_well",
                Text::new("Det, der går godt", "What works well"),
                Kind::LongText,
                true,
            )],
        },
        Section {
            title: Text::new("Hvad skal der ske?", "What needs to happen?"),
            intro: Text::new("Mål og næste skridt.", "Goals and next steps."),
            fields: &[field(
                "next_steps",
                Text::new("Mål og næste skridt", "Goals and next steps"),
                Kind::LongText,
                true,
            )],
        },
        Section {
            title: Text::new("Skalering", "Scaling"),
            intro: Text::new(
                "Hver part svarer selv: på en skala fra 0 til 10, hvor 10 er, at der ikke længere er grund til bekymring. Svarene vises side om side, de lægges ikke sammen.",
                "Each party answers: on a scale from 0 to 10, where 10 means there is no longer cause for concern. The answers are shown side by side, never averaged.",
            ),
            fields: &[
                field(
                    "scale_mentor",
                    Text::new("Mentor eller forældrecoach", "Mentor or parent coach"),
                    ZERO_TEN,
                    true,
                ),
                field(
                    "scale_citizen",
                    Text::new("Borgeren", "The citizen"),
                    ZERO_TEN,
                    false,
                ),
                field(
                    "scale_parents",
                    Text::new("Forældrene", "The parents"),
                    ZERO_TEN,
                    false,
                ),
            ],
        },
    ],
    measures: &[
        Measure::Field {
            field: "scale_mentor",
            kind: MeasurementKind::RiskMentor,
        },
        Measure::Field {
            field: "scale_citizen",
            kind: MeasurementKind::RiskCitizen,
        },
        Measure::Field {
            field: "scale_parents",
            kind: MeasurementKind::RiskParents,
        },
    ],
};

const STEP_STATUS: &[Choice] = &[
    Choice {
        key: "planned",
        label: Text::new("Planlagt", "Planned"),
    },
    Choice {
        key: "started",
        label: Text::new("I gang", "Started"),
    },
    Choice {
        key: "done",
        label: Text::new("Gennemført", "Done"),
    },
];

// Development and progress plan (UPP): goals in the citizen's words, steps towards each,
// and the 1–10 progress rating, at least every two months.
const UPP_V1: Definition = Definition {
    version: 1,
    sections: &[
        Section {
            title: Text::new("Mål og skridt", "Goals and steps"),
            intro: Text::new(
                "Målene med borgerens egne ord og de skridt, der fører derhen.",
                "The goals in the citizen's own words and the steps towards them.",
            ),
            fields: &[Field {
                key: "goals",
                label: Text::new("Mål", "Goals"),
                hint: NO_TEXT,
                kind: Kind::Group {
                    item: Text::new("Mål", "Goal"),
                    max: 3,
                    fields: &[
                        field(
                            "goal",
                            Text::new("Målet med borgerens ord", "The goal in the citizen's words"),
                            Kind::Text,
                            true,
                        ),
                        field("step_1", Text::new("Skridt 1", "Step 1"), Kind::Text, false),
                        field(
                            "status_1",
                            Text::new("Status for skridt 1", "Status of step 1"),
                            Kind::Single {
                                choices: STEP_STATUS,
                                scores: &[],
                            },
                            false,
                        ),
                        field("step_2", Text::new("Skridt 2", "Step 2"), Kind::Text, false),
                        field(
                            "status_2",
                            Text::new("Status for skridt 2", "Status of step 2"),
                            Kind::Single {
                                choices: STEP_STATUS,
                                scores: &[],
                            },
                            false,
                        ),
                    ],
                },
                required: true,
            }],
        },
        Section {
            title: Text::new("Progressionsmåling", "Progress rating"),
            intro: Text::new("Mindst hver anden måned.", "At least every two months."),
            fields: &[hinted(
                "progress",
                Text::new(
                    "Hvor godt greb har du om dit liv?",
                    "How good a grip do you have on your life?",
                ),
                Text::new(
                    "Borgerens eget svar fra 1 til 10.",
                    "The citizen's own answer from 1 to 10.",
                ),
                Kind::Scale {
                    min: 1,
                    max: 10,
                    low: Text::new("intet greb", "no grip"),
                    high: Text::new("fuldt greb", "a full grip"),
                },
                true,
            )],
        },
    ],
    measures: &[Measure::Field {
        field: "progress",
        kind: MeasurementKind::Progress,
    }],
};

const WHO5_CHOICES: &[Choice] = &[
    Choice {
        key: "5",
        label: Text::new("Hele tiden", "All of the time"),
    },
    Choice {
        key: "4",
        label: Text::new("Det meste af tiden", "Most of the time"),
    },
    Choice {
        key: "3",
        label: Text::new(
            "Lidt mere end halvdelen af tiden",
            "More than half of the time",
        ),
    },
    Choice {
        key: "2",
        label: Text::new(
            "Lidt mindre end halvdelen af tiden",
            "Less than half of the time",
        ),
    },
    Choice {
        key: "1",
        label: Text::new("Lidt af tiden", "Some of the time"),
    },
    Choice {
        key: "0",
        label: Text::new("På intet tidspunkt", "At no time"),
    },
];
const WHO5_SCORES: &[i16] = &[5, 4, 3, 2, 1, 0];

const MASTERY_CHOICES: &[Choice] = &[
    Choice {
        key: "4",
        label: Text::new("Helt enig", "Strongly agree"),
    },
    Choice {
        key: "3",
        label: Text::new("Enig", "Agree"),
    },
    Choice {
        key: "2",
        label: Text::new("Hverken enig eller uenig", "Neither agree nor disagree"),
    },
    Choice {
        key: "1",
        label: Text::new("Uenig", "Disagree"),
    },
    Choice {
        key: "0",
        label: Text::new("Helt uenig", "Strongly disagree"),
    },
];
const MASTERY_SCORES: &[i16] = &[4, 3, 2, 1, 0];

const fn who5(key: &'static str, da: &'static str, en: &'static str) -> Field {
    field(
        key,
        Text::new(da, en),
        Kind::Single {
            choices: WHO5_CHOICES,
            scores: WHO5_SCORES,
        },
        true,
    )
}

const fn mastery(key: &'static str, da: &'static str, en: &'static str) -> Field {
    field(
        key,
        Text::new(da, en),
        Kind::Single {
            choices: MASTERY_CHOICES,
            scores: MASTERY_SCORES,
        },
        true,
    )
}

// Pre and post measurement: the WHO-5 Well-Being Index (raw 0–25, × 4 → 0–100) and a
// five-item life-mastery scale (raw 0–20, × 5 → 0–100), answered at start and at end.
const MEASUREMENT_V1: Definition = Definition {
    version: 1,
    sections: &[
        Section {
            title: Text::new("Trivsel (WHO-5)", "Wellbeing (WHO-5)"),
            intro: Text::new("I de sidste to uger …", "Over the last two weeks …"),
            fields: &[
                who5(
                    "who5_1",
                    "har jeg været glad og i godt humør",
                    "I have felt cheerful and in good spirits",
                ),
                who5(
                    "who5_2",
                    "har jeg følt mig rolig og afslappet",
                    "I have felt calm and relaxed",
                ),
                who5(
                    "who5_3",
                    "har jeg følt mig aktiv og energisk",
                    "I have felt active and vigorous",
                ),
                who5(
                    "who5_4",
                    "er jeg vågnet frisk og udhvilet",
                    "I woke up feeling fresh and rested",
                ),
                who5(
                    "who5_5",
                    "har min dagligdag været fyldt med ting, der interesserer mig",
                    "my daily life has been filled with things that interest me",
                ),
            ],
        },
        Section {
            title: Text::new("Livsmestring", "Life mastery"),
            intro: Text::new("Hvor enig er du i udsagnene?", "How much do you agree?"),
            fields: &[
                mastery(
                    "mastery_1",
                    "Jeg kan klare de udfordringer, jeg møder i hverdagen",
                    "I can handle the challenges of everyday life",
                ),
                mastery(
                    "mastery_2",
                    "Jeg har nogen, jeg kan søge hjælp hos, når jeg har brug for det",
                    "I have someone to turn to when I need help",
                ),
                mastery(
                    "mastery_3",
                    "Jeg kan finde løsninger, når noget går galt",
                    "I can find solutions when something goes wrong",
                ),
                mastery(
                    "mastery_4",
                    "Jeg har mål for min fremtid",
                    "I have goals for my future",
                ),
                mastery(
                    "mastery_5",
                    "Jeg kan styre mine reaktioner, når jeg bliver vred eller ked af det",
                    "I can manage my reactions when I am angry or upset",
                ),
            ],
        },
    ],
    measures: &[
        Measure::Score {
            fields: &["who5_1", "who5_2", "who5_3", "who5_4", "who5_5"],
            factor: 4,
            scale: Scale::Wellbeing,
        },
        Measure::Score {
            fields: &[
                "mastery_1",
                "mastery_2",
                "mastery_3",
                "mastery_4",
                "mastery_5",
            ],
            factor: 5,
            scale: Scale::Mastery,
        },
    ],
};

// Agreement form (aftaleskema) for parent coaching: goals and success criteria.
const AGREEMENT_V1: Definition = Definition {
    version: 1,
    sections: &[Section {
        title: Text::new("Aftale om forældrecoaching", "Parent coaching agreement"),
        intro: Text::new(
            "Forløbet afsluttes, når målene i aftaleskemaet er nået, eller når begge parter vurderer, at det ikke længere tjener sit formål.",
            "The course ends when the goals of the agreement are reached, or when both parties judge it no longer serves its purpose.",
        ),
        fields: &[Field {
            key: "goals",
            label: Text::new("Mål", "Goals"),
            hint: NO_TEXT,
            kind: Kind::Group {
                item: Text::new("Mål", "Goal"),
                max: 3,
                fields: &[
                    field("goal", Text::new("Mål", "Goal"), Kind::Text, true),
                    field(
                        "success",
                        Text::new(
                            "Succeskriterium: hvordan ser vi, at målet er nået?",
                            "Success criterion: how do we see the goal is reached?",
                        ),
                        Kind::Text,
                        false,
                    ),
                ],
            },
            required: true,
        }],
    }],
    measures: &[],
};

// The solution-focused coaching card (samtalekort, coordinator guide §3.1) for the
// coordinator's monthly coaching of a mentor or parent coach.
const COACHING_CARD_V1: Definition = Definition {
    version: 1,
    sections: &[
        Section {
            title: Text::new("Opstart og bedste håb", "Opening and best hopes"),
            intro: Text::new(
                "Hvad ønsker du hjælp til? Hvad er dit bedste håb for samtalen?",
                "What do you want help with? What are your best hopes for this talk?",
            ),
            fields: &[field(
                "best_hopes",
                Text::new("Bedste håb", "Best hopes"),
                Kind::LongText,
                true,
            )],
        },
        Section {
            title: Text::new("Skalering", "Scaling"),
            intro: NO_TEXT,
            fields: &[field(
                "scale",
                Text::new(
                    "Hvor er du på skalaen i dag?",
                    "Where are you on the scale today?",
                ),
                Kind::Scale {
                    min: 1,
                    max: 10,
                    low: Text::new("langt fra", "far from it"),
                    high: Text::new("det ønskede er nået", "the wished future"),
                },
                true,
            )],
        },
        Section {
            title: Text::new("Undtagelser og fremskridt", "Exceptions and progress"),
            intro: Text::new(
                "Hvornår fungerer det allerede? Hvad er blevet bedre?",
                "When does it already work? What has got better?",
            ),
            fields: &[
                field(
                    "exceptions",
                    Text::new("Undtagelser", "Exceptions"),
                    Kind::LongText,
                    false,
                ),
                field(
                    "progress",
                    Text::new(
                        "Fremskridt og små tegn på fremgang",
                        "Progress and small signs of it",
                    ),
                    Kind::LongText,
                    false,
                ),
            ],
        },
        Section {
            title: Text::new(
                "Tillid, vigtighed og parathed",
                "Confidence, importance and readiness",
            ),
            intro: NO_TEXT,
            fields: &[
                field(
                    "confidence",
                    Text::new("Tillid til at det lykkes", "Confidence it will work"),
                    Kind::Scale {
                        min: 1,
                        max: 10,
                        low: Text::new("lav", "low"),
                        high: Text::new("høj", "high"),
                    },
                    false,
                ),
                field(
                    "importance",
                    Text::new("Hvor vigtigt det er", "How important it is"),
                    Kind::Scale {
                        min: 1,
                        max: 10,
                        low: Text::new("lav", "low"),
                        high: Text::new("høj", "high"),
                    },
                    false,
                ),
                field(
                    "readiness",
                    Text::new("Parathed", "Readiness"),
                    Kind::Scale {
                        min: 1,
                        max: 10,
                        low: Text::new("lav", "low"),
                        high: Text::new("høj", "high"),
                    },
                    false,
                ),
            ],
        },
        Section {
            title: Text::new("Næste lille skridt", "Next small step"),
            intro: NO_TEXT,
            fields: &[field(
                "next_step",
                Text::new("Næste lille skridt", "Next small step"),
                Kind::Text,
                true,
            )],
        },
    ],
    measures: &[],
};

pub const RISK_ASSESSMENT: Tool = Tool {
    key: "risk_assessment",
    title: Text::new("Balanceret risikovurdering", "Balanced risk assessment"),
    intro: Text::new(
        "Inspireret af Signs of Safety. Gentages undervejs i forløbet.",
        "Inspired by Signs of Safety. Repeated during the course.",
    ),
    phased: false,
    versions: &[RISK_V1],
};

pub const DEVELOPMENT_PLAN: Tool = Tool {
    key: "development_plan",
    title: Text::new(
        "Udviklings- og progressionsplan (UPP)",
        "Development and progress plan (UPP)",
    ),
    intro: Text::new(
        "Mål, skridt og progressionsmåling.",
        "Goals, steps and the progress rating.",
    ),
    phased: false,
    versions: &[UPP_V1],
};

pub const MEASUREMENT: Tool = Tool {
    key: "measurement",
    title: Text::new("Før- og eftermåling", "Pre and post measurement"),
    intro: Text::new(
        "Trivsel (WHO-5) og livsmestring. Besvares af borgeren ved start og ved afslutning.",
        "Wellbeing (WHO-5) and life mastery. Answered by the citizen at the start and at the end.",
    ),
    phased: true,
    versions: &[MEASUREMENT_V1],
};

pub const AGREEMENT: Tool = Tool {
    key: "agreement",
    title: Text::new("Aftaleskema", "Agreement form"),
    intro: Text::new(
        "Mål og succeskriterier for forældrecoachingen.",
        "Goals and success criteria of the parent coaching.",
    ),
    phased: false,
    versions: &[AGREEMENT_V1],
};

pub const COACHING_CARD: Tool = Tool {
    key: "conversation_card",
    title: Text::new(
        "Samtalekort til den løsningsfokuserede coaching",
        "Solution-focused coaching card",
    ),
    intro: Text::new(
        "Koordinatorens månedlige coaching af mentoren eller forældrecoachen.",
        "The coordinator's monthly coaching of the mentor or parent coach.",
    ),
    phased: false,
    versions: &[COACHING_CARD_V1],
};

/// The tools filled in on a course.
pub const COURSE_TOOLS: &[&Tool] = &[
    &RISK_ASSESSMENT,
    &DEVELOPMENT_PLAN,
    &MEASUREMENT,
    &AGREEMENT,
];

pub fn find(key: &str) -> Option<&'static Tool> {
    COURSE_TOOLS
        .iter()
        .copied()
        .chain([&COACHING_CARD])
        .find(|tool| tool.key == key)
}
