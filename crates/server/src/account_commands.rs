//! What a version 3 client's account and administration commands do: a
//! user changes their password or signs out their other sessions; an
//! administrator makes invitation codes, bans and unbans users
//! server-wide, changes who may register, resets passwords, deletes
//! accounts and reads the audit log.

use std::time::Instant;

use media_chat_protocol::rules::user_key;
use media_chat_protocol::{AdminCommand, ServerMessage};
use media_chat_store::unix_now;

use crate::authority::Ban;
use crate::registration::RegistrationMode;
use crate::session::{Session, banned_text};

/// Invitation codes one administrator may make: 20 at once, then 60 an
/// hour (a class at a time, not a script).
const CODES: (u32, u32) = (20, 60);

/// Most audit lines one `AUDIT` returns.
const MAX_AUDIT: u64 = 500;

impl Session {
    /// `PASSWORD|n|current+new`: needs the current password.
    pub(crate) fn change_password(&self, current: &str, new: &str) {
        let name = self.name().to_owned();
        let accounts = &self.ctx.accounts;
        if !accounts.check_password(&name, current) {
            return self.send_error("Wrong password");
        }
        match accounts.set_password(&name, new) {
            Ok(true) => self.send(&ServerMessage::notify("Password changed")),
            Ok(false) => self.send_error("No such account"),
            Err(e) => self.send_error(e.to_string()),
        }
    }

    /// `SIGN_OUT_OTHERS`: ends the user's other sessions.
    pub(crate) fn sign_out_others(&self) {
        let ended = self.ctx.hub.revoke_user(
            &user_key(self.name()),
            Some(self.id),
            "Signed out from another session",
        );
        self.send(&ServerMessage::notify(match ended {
            1 => "Signed out 1 other session".to_owned(),
            n => format!("Signed out {n} other sessions"),
        }));
    }

    /// An administrator's command; refused to anyone else.
    pub(crate) fn admin(&self, command: AdminCommand) {
        let me = self.name().to_owned();
        if !self.ctx.authority.is_admin(&user_key(&me)) {
            return self.send_error(format!(
                "{}: only administrators can do that",
                command.verb()
            ));
        }
        let audit = |action: &str, target: &str, detail: &str| {
            self.ctx
                .audit
                .record(unix_now(), &me, action, target, detail);
        };
        match command {
            AdminCommand::InviteCode => {
                let (burst, per_hour) = CODES;
                if let Err(wait) = self.ctx.action_limits.take(
                    &user_key(&me),
                    "invite-code",
                    burst,
                    per_hour,
                    Instant::now(),
                ) {
                    return self.send_error(format!(
                        "Too many invitation codes; try again in {} s",
                        wait.as_secs().max(1)
                    ));
                }
                match self.ctx.registration.make_code(&me, unix_now()) {
                    Ok(code) => {
                        audit("invite-code", "", "");
                        self.send(&ServerMessage::InviteCode { code });
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "could not save an invitation code");
                        self.send_error("The server could not save the code; try again later");
                    }
                }
            }
            AdminCommand::Ban { user, reason } => {
                let user = match self.registered(&user) {
                    Ok(user) => user,
                    Err(reason) => return self.send_error(reason),
                };
                let ban = Ban {
                    name: user.clone(),
                    by: me.clone(),
                    at: unix_now(),
                    reason: reason.clone(),
                };
                match self.ctx.authority.ban(ban) {
                    Ok(true) => {
                        audit("ban", &user, &reason);
                        self.ctx
                            .hub
                            .revoke_user(&user_key(&user), None, &banned_text(&reason));
                        self.send(&ServerMessage::notify(format!(
                            "{user} is banned from the server"
                        )));
                    }
                    Ok(false) => self.send_error(format!("{user} is already banned")),
                    Err(e) => self.failed("save the ban", &e),
                }
            }
            AdminCommand::Unban { user } => {
                let key = user_key(&user);
                match self.ctx.authority.unban(&key) {
                    Ok(true) => {
                        audit("unban", &user, "");
                        self.send(&ServerMessage::notify(format!("{user} may log in again")));
                    }
                    Ok(false) => self.send_error(format!("{user} is not banned")),
                    Err(e) => self.failed("save the ban list", &e),
                }
            }
            AdminCommand::Registration { mode } => match mode.parse::<RegistrationMode>() {
                Ok(mode) => {
                    self.ctx.registration.set_mode(mode);
                    audit("registration", mode.as_str(), "");
                    self.send(&ServerMessage::notify(format!(
                        "Registration is now {mode}"
                    )));
                }
                Err(why) => self.send_error(format!("REGISTRATION: {why}")),
            },
            AdminCommand::ResetPassword { user, password } => {
                let user = match self.registered(&user) {
                    Ok(user) => user,
                    Err(reason) => return self.send_error(reason),
                };
                match self.ctx.accounts.set_password(&user, &password) {
                    Ok(true) => {
                        audit("reset-password", &user, "");
                        self.ctx.hub.revoke_user(
                            &user_key(&user),
                            None,
                            "Your password was reset by an administrator; log in again",
                        );
                        self.send(&ServerMessage::notify(format!(
                            "{user}'s password is reset"
                        )));
                    }
                    Ok(false) => self.send_error(format!("No such user: {user}")),
                    Err(e) => self.send_error(e.to_string()),
                }
            }
            AdminCommand::DeleteAccount { user } => {
                let user = match self.registered(&user) {
                    Ok(user) => user,
                    Err(reason) => return self.send_error(reason),
                };
                match self.ctx.accounts.delete(&user) {
                    Ok(true) => {
                        audit("delete-account", &user, "");
                        self.ctx.hub.revoke_user(
                            &user_key(&user),
                            None,
                            "Your account was deleted by an administrator",
                        );
                        self.send(&ServerMessage::notify(format!(
                            "{user}'s account is deleted"
                        )));
                    }
                    Ok(false) => self.send_error(format!("No such user: {user}")),
                    Err(e) => self.failed("save the accounts", &e),
                }
            }
            AdminCommand::Audit { limit } => {
                let limit = usize::try_from(limit.clamp(1, MAX_AUDIT)).unwrap_or(1);
                match self.ctx.audit.recent(limit) {
                    Ok(lines) => {
                        for line in lines {
                            self.send(&ServerMessage::AuditLine { line });
                        }
                        self.send(&ServerMessage::AuditEnd);
                    }
                    Err(e) => self.failed("read the audit log", &e),
                }
            }
        }
    }

    fn failed(&self, what: &str, error: &std::io::Error) {
        tracing::error!(error = %error, "could not {what}");
        self.send_error(format!("The server could not {what}; try again later"));
    }
}
