//! The texts of the LAT tools, in both languages.
//! One field of `Messages` (`tools`) holds them, so the compiler still refuses a
//! language that lacks one.

pub struct ToolMessages {
    pub tool_scale_invalid: &'static str,
    pub tool_choice_invalid: &'static str,
    pub tool_required: &'static str,
    pub tool_group_required: &'static str,
    pub tool_phase_required: &'static str,
    pub tool_saved: &'static str,
    pub tool_phase: &'static str,
    pub tool_version: &'static str,
}

pub const DA: ToolMessages = ToolMessages {
    tool_scale_invalid: "Vælg en værdi på skalaen.",
    tool_choice_invalid: "Vælg en af mulighederne.",
    tool_required: "Udfyld feltet.",
    tool_group_required: "Udfyld mindst ét mål.",
    tool_phase_required: "Vælg, om det er før- eller eftermålingen.",
    tool_saved: "{} er gemt.",
    tool_phase: "Måling",
    tool_version: "version",
};

pub const EN: ToolMessages = ToolMessages {
    tool_scale_invalid: "Choose a value on the scale.",
    tool_choice_invalid: "Choose one of the options.",
    tool_required: "Fill in the field.",
    tool_group_required: "Fill in at least one goal.",
    tool_phase_required: "Choose whether this is the pre or the post measurement.",
    tool_saved: "{} has been saved.",
    tool_phase: "Measurement",
    tool_version: "version",
};
