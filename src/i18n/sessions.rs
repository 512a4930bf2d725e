//! Sessions: the warning before the idle timeout, and the account page's list of where
//! the user is logged in.

pub struct SessionMessages {
    // The warning (a DKFDS modal) before the session ends.
    pub timeout_title: &'static str,
    /// `{}`: the time left, counted down ("2 minutter", "45 sekunder").
    pub timeout_text: &'static str,
    pub timeout_kept: &'static str,
    pub stay: &'static str,
    pub log_out: &'static str,
    pub absolute_title: &'static str,
    /// `{}`: the time left.
    pub absolute_text: &'static str,
    pub ended_title: &'static str,
    pub ended_text: &'static str,
    pub log_in_again: &'static str,
    pub new_window: &'static str,
    pub close: &'static str,
    pub ended_elsewhere: &'static str,

    // The list on the account page.
    pub list_title: &'static str,
    pub list_intro: &'static str,
    pub device: &'static str,
    pub network: &'static str,
    pub started: &'static str,
    pub last_active: &'static str,
    pub this_device: &'static str,
    /// `{}` browser, `{}` system: "Firefox på Windows".
    pub browser_on: &'static str,
    pub unknown_browser: &'static str,
    pub unknown_network: &'static str,
    pub no_others: &'static str,
    pub end_others: &'static str,
    pub end_others_hint: &'static str,
    pub others_ended: &'static str,

    pub action_sessions_ended: &'static str,
}

impl SessionMessages {
    pub fn action_label(&self, action: &str) -> Option<&'static str> {
        match action {
            "sessions_ended" => Some(self.action_sessions_ended),
            _ => None,
        }
    }
}

pub const DA: SessionMessages = SessionMessages {
    timeout_title: "Du bliver snart logget ud",
    timeout_text: "Du har ikke brugt Korps i et stykke tid. Af sikkerhedshensyn bliver du logget ud om {}.",
    timeout_kept: "Vælg »Forbliv logget ind« for at arbejde videre. Det, du har skrevet, bliver stående på siden.",
    stay: "Forbliv logget ind",
    log_out: "Log ud",
    absolute_title: "Du skal snart logge ind igen",
    absolute_text: "Du kan højst være logget ind i 12 timer ad gangen, og du bliver logget ud om {}. Gem det, du er i gang med.",
    ended_title: "Du er blevet logget ud",
    ended_text: "Din session er udløbet, så du er blevet logget ud. Det, du har skrevet, står stadig på siden. Log ind igen i et nyt vindue; så kan du gemme det her bagefter.",
    log_in_again: "Log ind igen",
    new_window: "åbner i et nyt vindue",
    close: "Luk",
    ended_elsewhere: "Du er blevet logget ud fra en anden enhed.",

    list_title: "Her er du logget ind",
    list_intro: "Kender du ikke et af stederne, så log de andre ud, og skift din adgangskode.",
    device: "Enhed",
    network: "Netværk",
    started: "Logget ind",
    last_active: "Sidst aktiv",
    this_device: "Denne enhed",
    browser_on: "{} på {}",
    unknown_browser: "Ukendt browser",
    unknown_network: "Ukendt",
    no_others: "Du er ikke logget ind andre steder.",
    end_others: "Log de andre ud",
    end_others_hint: "Alle andre steder bliver logget ud med det samme. Du forbliver logget ind her.",
    others_ended: "Du er logget ud alle andre steder.",

    action_sessions_ended: "Andre sessioner logget ud",
};

pub const EN: SessionMessages = SessionMessages {
    timeout_title: "You will soon be logged out",
    timeout_text: "You have not used Korps for a while. For your security you will be logged out in {}.",
    timeout_kept: "Choose “Stay logged in” to carry on. What you have entered stays on the page.",
    stay: "Stay logged in",
    log_out: "Log out",
    absolute_title: "You must log in again soon",
    absolute_text: "You can be logged in for 12 hours at most, and you will be logged out in {}. Save what you are working on.",
    ended_title: "You have been logged out",
    ended_text: "Your session has expired, so you have been logged out. What you entered is still on the page. Log in again in a new window; then you can save it here afterwards.",
    log_in_again: "Log in again",
    new_window: "opens in a new window",
    close: "Close",
    ended_elsewhere: "You have been logged out from another device.",

    list_title: "Where you are logged in",
    list_intro: "If you do not recognise one of them, log the others out and change your password.",
    device: "Device",
    network: "Network",
    started: "Logged in",
    last_active: "Last active",
    this_device: "This device",
    browser_on: "{} on {}",
    unknown_browser: "Unknown browser",
    unknown_network: "Unknown",
    no_others: "You are not logged in anywhere else.",
    end_others: "Log the others out",
    end_others_hint: "Every other place is logged out at once. You stay logged in here.",
    others_ended: "You have been logged out everywhere else.",

    action_sessions_ended: "Other sessions logged out",
};
