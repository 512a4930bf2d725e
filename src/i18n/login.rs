//! The texts of the login page, the session and the password rules, in both languages.
//! One field of `Messages` (`login`) holds them, so the compiler still refuses a
//! language that lacks one.

pub struct LoginMessages {
    pub log_in: &'static str,
    pub login_title: &'static str,
    pub login_intro: &'static str,
    pub password: &'static str,
    pub login_failed: &'static str,
    pub login_throttled: &'static str,
    pub enter_email: &'static str,
    pub enter_password: &'static str,
    pub logged_out: &'static str,
    pub session_expired: &'static str,
    pub cookies_required: &'static str,
    pub password_too_short: &'static str,
    pub password_too_long: &'static str,
}

pub const DA: LoginMessages = LoginMessages {
    log_in: "Log ind",
    login_title: "Log ind på Korps",
    login_intro: "Korps er platformen for det nationale korps af mentorer og forældrecoaches. Log ind med den e-mail og adgangskode, du har fået af din koordinator.",
    password: "Adgangskode",
    login_failed: "E-mail eller adgangskode er forkert.",
    login_throttled: "Der har været for mange mislykkede forsøg på at logge ind. Vent 15 minutter, og prøv igen.",
    enter_email: "Indtast din e-mail.",
    enter_password: "Indtast din adgangskode.",
    logged_out: "Du er logget ud.",
    session_expired: "Du er blevet logget ud, fordi du ikke har været aktiv i et stykke tid. Log ind igen.",
    cookies_required: "Siden er udløbet, eller din browser tillader ikke cookies. Genindlæs siden, og prøv igen.",
    password_too_short: "Adgangskoden skal være på mindst 12 tegn.",
    password_too_long: "Adgangskoden må højst være på 200 tegn.",
};

pub const EN: LoginMessages = LoginMessages {
    log_in: "Log in",
    login_title: "Log in to Korps",
    login_intro: "Korps is the platform of the national corps of mentors and parent coaches. Log in with the e-mail and password your coordinator gave you.",
    password: "Password",
    login_failed: "The e-mail or password is wrong.",
    login_throttled: "There have been too many failed attempts to log in. Wait 15 minutes and try again.",
    enter_email: "Enter your e-mail.",
    enter_password: "Enter your password.",
    logged_out: "You are logged out.",
    session_expired: "You were logged out because you had not been active for a while. Please log in again.",
    cookies_required: "The page has expired or your browser does not allow cookies. Reload the page and try again.",
    password_too_short: "The password must be at least 12 characters long.",
    password_too_long: "The password can be at most 200 characters long.",
};
