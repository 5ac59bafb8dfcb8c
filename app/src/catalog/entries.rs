//! The built-in catalogue entries, sorted by key: every event key of the five products whose
//! audit logs Auditrail replaces (`shared/CATALOGUE.md`), with a category, a label and a message
//! template.

use super::EventType;

/// Every known event key, sorted by key (byte order) so [`super::lookup`] can binary-search.
pub static ENTRIES: &[EventType] = &[
    EventType {
        key: "API_KEY_CREATE",
        category: "api_key",
        label: "API key created",
        template: "{actor} created the API key {target.api_key}",
    },
    EventType {
        key: "API_KEY_REVOKE",
        category: "api_key",
        label: "API key revoked",
        template: "{actor} revoked the API key {target.api_key}",
    },
    EventType {
        key: "BILLING_CANCEL",
        category: "billing",
        label: "Billing cancelled",
        template: "{actor} cancelled billing",
    },
    EventType {
        key: "BILLING_PAYMENT",
        category: "billing",
        label: "Payment made",
        template: "{actor} made a payment",
    },
    EventType {
        key: "BILLING_PLAN_CHANGE",
        category: "billing",
        label: "Plan changed",
        template: "{actor} changed the billing plan to {details.plan}",
    },
    EventType {
        key: "CREDENTIAL_CREATED",
        category: "credential",
        label: "Credential created",
        template: "{actor} added the cloud credential {target.credential}",
    },
    EventType {
        key: "CREDENTIAL_DELETED",
        category: "credential",
        label: "Credential deleted",
        template: "{actor} removed the cloud credential {target.credential}",
    },
    EventType {
        key: "ENV_BULK_UPLOAD",
        category: "variable",
        label: "Environment bulk upload",
        template: "{actor} uploaded environment variables in bulk",
    },
    EventType {
        key: "PASSWORD_CHANGE",
        category: "auth",
        label: "Password changed",
        template: "{actor} changed their password",
    },
    EventType {
        key: "PROJECT_CREATE",
        category: "project",
        label: "Project created",
        template: "{actor} created project {target.project}",
    },
    EventType {
        key: "PROJECT_DELETE",
        category: "project",
        label: "Project deleted",
        template: "{actor} deleted project {target.project}",
    },
    EventType {
        key: "PROJECT_UPDATE",
        category: "project",
        label: "Project updated",
        template: "{actor} updated project {target.project}",
    },
    EventType {
        key: "RESOURCE_CREATED",
        category: "resource",
        label: "Resource created",
        template: "{actor} added the cloud resource {target.resource}",
    },
    EventType {
        key: "RESOURCE_DELETED",
        category: "resource",
        label: "Resource deleted",
        template: "{actor} removed the cloud resource {target.resource}",
    },
    EventType {
        key: "RESOURCE_UPDATED",
        category: "resource",
        label: "Resource updated",
        template: "{actor} modified the cloud resource {target.resource}",
    },
    EventType {
        key: "ROLE_CREATED",
        category: "role",
        label: "Role created",
        template: "{actor} created the role {target.role}",
    },
    EventType {
        key: "ROLE_DELETED",
        category: "role",
        label: "Role removed",
        template: "{actor} removed the role {target.role}",
    },
    EventType {
        key: "ROLE_UPDATED",
        category: "role",
        label: "Role updated",
        template: "{actor} modified the role {target.role}",
    },
    EventType {
        key: "SECRET_DELETE",
        category: "secret",
        label: "Secret deleted",
        template: "{actor} deleted secret {target.secret}",
    },
    EventType {
        key: "SECRET_LIST",
        category: "secret",
        label: "Secrets listed",
        template: "{actor} listed secrets",
    },
    EventType {
        key: "SECRET_READ",
        category: "secret",
        label: "Secret read",
        template: "{actor} read secret {target.secret}",
    },
    EventType {
        key: "SECRET_SET",
        category: "secret",
        label: "Secret set",
        template: "{actor} set secret {target.secret}",
    },
    EventType {
        key: "SESSION_EXPIRED",
        category: "session",
        label: "Session expired",
        template: "The session {target.session} of {actor} expired",
    },
    EventType {
        key: "SESSION_EXTENDED",
        category: "session",
        label: "Session extended",
        template: "{actor} extended the session {target.session}",
    },
    EventType {
        key: "SESSION_STARTED",
        category: "session",
        label: "Session started",
        template: "{actor} started the session {target.session}",
    },
    EventType {
        key: "SESSION_STOPPED",
        category: "session",
        label: "Session stopped",
        template: "{actor} stopped the session {target.session}",
    },
    EventType {
        key: "TEAM_INVITE",
        category: "team",
        label: "Team invitation",
        template: "{actor} invited {target.user} to the team",
    },
    EventType {
        key: "TEAM_MEMBER_ADD",
        category: "team",
        label: "Team member added",
        template: "{actor} added {target.user} to the team",
    },
    EventType {
        key: "TEAM_MEMBER_REMOVE",
        category: "team",
        label: "Team member removed",
        template: "{actor} removed {target.user} from the team",
    },
    EventType {
        key: "TEAM_ROLE_CHANGE",
        category: "team",
        label: "Team role changed",
        template: "{actor} changed the role of {target.user} to {details.role}",
    },
    EventType {
        key: "USER_2FA_DISABLE",
        category: "auth",
        label: "2FA disabled",
        template: "{actor} disabled two-factor authentication",
    },
    EventType {
        key: "USER_2FA_ENABLE",
        category: "auth",
        label: "2FA enabled",
        template: "{actor} enabled two-factor authentication",
    },
    EventType {
        key: "USER_CREATED",
        category: "user",
        label: "User created",
        template: "{actor} created the user {target.user}",
    },
    EventType {
        key: "USER_DELETED",
        category: "user",
        label: "User removed",
        template: "{actor} removed {target.user} from the organization",
    },
    EventType {
        key: "USER_LOGIN",
        category: "user",
        label: "User signed in",
        template: "{actor} signed in",
    },
    EventType {
        key: "USER_REGISTERED",
        category: "user",
        label: "Organization registered",
        template: "{actor} registered a new organization",
    },
    EventType {
        key: "USER_UPDATED",
        category: "user",
        label: "User updated",
        template: "{actor} changed the profile or status of {target.user}",
    },
    EventType {
        key: "VARIABLE_DELETE",
        category: "variable",
        label: "Variable deleted",
        template: "{actor} deleted variable {target.variable}",
    },
    EventType {
        key: "VARIABLE_SET",
        category: "variable",
        label: "Variable set",
        template: "{actor} set variable {target.variable}",
    },
    EventType {
        key: "api_key.created",
        category: "api_key",
        label: "API key created",
        template:
            "An API key {target.api_key} ending with {details.key_last4} was created by {actor}",
    },
    EventType {
        key: "api_key.deleted",
        category: "api_key",
        label: "API key deleted",
        template:
            "The API key {target.api_key} ending with {details.key_last4} was deleted by {actor}",
    },
    EventType {
        key: "api_key.rotated",
        category: "api_key",
        label: "API key rotated",
        template:
            "The API key {target.api_key} ending with {details.key_last4} was rotated by {actor}",
    },
    EventType {
        key: "api_key.updated",
        category: "api_key",
        label: "API key updated",
        template:
            "The API key {target.api_key} ending with {details.key_last4} was updated by {actor}",
    },
    EventType {
        key: "app.created",
        category: "application",
        label: "Application created",
        template: "{actor} created the OAuth application {target.application}",
    },
    EventType {
        key: "app.deleted",
        category: "application",
        label: "Application deleted",
        template: "{actor} deleted the application {target.application}",
    },
    EventType {
        key: "app.secret.rotated",
        category: "application",
        label: "Client secret rotated",
        template: "{actor} rotated the client secret of {target.application}",
    },
    EventType {
        key: "app.updated",
        category: "application",
        label: "Application updated",
        template: "{actor} modified the settings of the application {target.application}",
    },
    EventType {
        key: "auth.device.authorize",
        category: "auth",
        label: "Device authorized",
        template: "{actor} authorized a device through the device flow",
    },
    EventType {
        key: "auth.login.failure",
        category: "auth",
        label: "Login failed",
        template: "Failed login attempt for {actor}",
    },
    EventType {
        key: "auth.login.success",
        category: "auth",
        label: "Login succeeded",
        template: "{actor} successfully authenticated",
    },
    EventType {
        key: "auth.logout",
        category: "auth",
        label: "Logged out",
        template: "{actor} logged out",
    },
    EventType {
        key: "auth.mfa.challenge",
        category: "auth",
        label: "MFA challenge",
        template: "An MFA challenge was presented to {actor}",
    },
    EventType {
        key: "auth.mfa.failure",
        category: "auth",
        label: "MFA failed",
        template: "{actor} failed MFA verification",
    },
    EventType {
        key: "auth.mfa.success",
        category: "auth",
        label: "MFA succeeded",
        template: "{actor} passed MFA verification",
    },
    EventType {
        key: "auth.passkey.login",
        category: "auth",
        label: "Passkey login",
        template: "{actor} signed in with a passkey",
    },
    EventType {
        key: "auth.password_reset.complete",
        category: "auth",
        label: "Password reset completed",
        template: "{actor} completed a password reset",
    },
    EventType {
        key: "auth.password_reset.request",
        category: "auth",
        label: "Password reset requested",
        template: "{actor} requested a password reset",
    },
    EventType {
        key: "auth.saml.login",
        category: "auth",
        label: "SAML SSO login",
        template: "{actor} signed in with SAML SSO",
    },
    EventType {
        key: "auth.social.login",
        category: "auth",
        label: "Social login",
        template: "{actor} signed in with a social login",
    },
    EventType {
        key: "billing_entity.created",
        category: "billing_entity",
        label: "Billing entity created",
        template: "{actor} created a new billing entity {target.billing_entity}",
    },
    EventType {
        key: "billing_entity.updated",
        category: "billing_entity",
        label: "Billing entity updated",
        template: "{actor} updated the billing entity {target.billing_entity}",
    },
    EventType {
        key: "config.updated",
        category: "config",
        label: "Configuration updated",
        template: "{actor} changed the tenant configuration",
    },
    EventType {
        key: "export.created",
        category: "export",
        label: "Export created",
        template: "{actor} exported data",
    },
    EventType {
        key: "gdpr.delete.completed",
        category: "compliance",
        label: "Data deletion completed",
        template: "The data of {target} was deleted for {actor}",
    },
    EventType {
        key: "gdpr.delete.requested",
        category: "compliance",
        label: "Data deletion requested",
        template: "{actor} requested the deletion of the data of {target}",
    },
    EventType {
        key: "gdpr.export.completed",
        category: "compliance",
        label: "Data export completed",
        template: "The data export for {target} was generated for {actor}",
    },
    EventType {
        key: "gdpr.export.requested",
        category: "compliance",
        label: "Data export requested",
        template: "{actor} requested a data export for {target}",
    },
    EventType {
        key: "group.created",
        category: "group",
        label: "Group created",
        template: "{actor} created the group {target.group}",
    },
    EventType {
        key: "integration.created",
        category: "integration",
        label: "Integration created",
        template: "{actor} created a new {details.integration} integration",
    },
    EventType {
        key: "integration.deleted",
        category: "integration",
        label: "Integration deleted",
        template: "{actor} deleted the {details.integration} integration",
    },
    EventType {
        key: "integration.updated",
        category: "integration",
        label: "Integration updated",
        template: "{actor} updated the {details.integration} integration",
    },
    EventType {
        key: "log_stream.created",
        category: "log_stream",
        label: "Log stream created",
        template: "{actor} created the log stream {target.log_stream} to {details.destination}",
    },
    EventType {
        key: "log_stream.deleted",
        category: "log_stream",
        label: "Log stream deleted",
        template: "{actor} deleted the log stream {target.log_stream}",
    },
    EventType {
        key: "log_stream.failing",
        category: "log_stream",
        label: "Log stream failing",
        template: "The log stream {target.log_stream} keeps failing: {details.error}",
    },
    EventType {
        key: "log_stream.paused",
        category: "log_stream",
        label: "Log stream paused",
        template: "{actor} paused the log stream {target.log_stream}",
    },
    EventType {
        key: "log_stream.recovered",
        category: "log_stream",
        label: "Log stream recovered",
        template: "The log stream {target.log_stream} delivers again",
    },
    EventType {
        key: "log_stream.resumed",
        category: "log_stream",
        label: "Log stream resumed",
        template: "{actor} resumed the log stream {target.log_stream}",
    },
    EventType {
        key: "log_stream.secret_rotated",
        category: "log_stream",
        label: "Log stream secret rotated",
        template: "{actor} rotated the signing secret of the log stream {target.log_stream}",
    },
    EventType {
        key: "log_stream.updated",
        category: "log_stream",
        label: "Log stream updated",
        template: "{actor} changed the log stream {target.log_stream}",
    },
    EventType {
        key: "org.auth.mfa",
        category: "organization",
        label: "MFA enforced",
        template: "{actor} enforced MFA for the organization",
    },
    EventType {
        key: "org.details.updated",
        category: "organization",
        label: "Organization details updated",
        template: "{actor} updated the organization details",
    },
    EventType {
        key: "org.invitation.accepted",
        category: "organization",
        label: "Invitation accepted",
        template: "{actor} accepted the invitation to the organization",
    },
    EventType {
        key: "org.invitation.declined",
        category: "organization",
        label: "Invitation declined",
        template: "{actor} declined the invitation to the organization",
    },
    EventType {
        key: "org.invitation.resent",
        category: "organization",
        label: "Invitation resent",
        template: "{actor} resent the invitation to {target.user}",
    },
    EventType {
        key: "org.invitation.sent",
        category: "organization",
        label: "Invitation sent",
        template: "{actor} invited {target.user} to the organization",
    },
    EventType {
        key: "org.invitation.withdrawn",
        category: "organization",
        label: "Invitation withdrawn",
        template: "{actor} withdrew the invitation to {target.user}",
    },
    EventType {
        key: "org.payment-method.added",
        category: "organization",
        label: "Payment method added",
        template: "{actor} added the payment method {target}",
    },
    EventType {
        key: "org.payment-method.default-updated",
        category: "organization",
        label: "Default payment method updated",
        template: "{actor} made {target} the default payment method",
    },
    EventType {
        key: "org.payment-method.deleted",
        category: "organization",
        label: "Payment method deleted",
        template: "{actor} deleted the payment method {target}",
    },
    EventType {
        key: "org.service-account.access-key.regenerated",
        category: "organization",
        label: "Service account key regenerated",
        template:
            "{actor} regenerated the access key of the service account {target.service_account}",
    },
    EventType {
        key: "org.service-account.created",
        category: "organization",
        label: "Service account created",
        template: "{actor} created the service account {target.service_account}",
    },
    EventType {
        key: "org.service-account.deleted",
        category: "organization",
        label: "Service account deleted",
        template: "{actor} deleted the service account {target.service_account}",
    },
    EventType {
        key: "org.service-account.profile.updated",
        category: "organization",
        label: "Service account profile updated",
        template: "{actor} updated the profile of the service account {target.service_account}",
    },
    EventType {
        key: "org.subscription.cancelled",
        category: "organization",
        label: "Subscription cancelled",
        template: "{actor} cancelled the organization's subscription {target}",
    },
    EventType {
        key: "org.subscription.created",
        category: "organization",
        label: "Subscription created",
        template: "{actor} created the organization's subscription {target}",
    },
    EventType {
        key: "org.subscription.revoked",
        category: "organization",
        label: "Subscription revoked",
        template: "The organization's subscription {target} was revoked by {actor}",
    },
    EventType {
        key: "org.subscription.updated",
        category: "organization",
        label: "Subscription updated",
        template: "{actor} updated the organization's subscription {target}",
    },
    EventType {
        key: "org.support-access.granted",
        category: "organization",
        label: "Support access granted",
        template: "{actor} granted support access",
    },
    EventType {
        key: "org.support-access.revoked",
        category: "organization",
        label: "Support access revoked",
        template: "{actor} revoked support access",
    },
    EventType {
        key: "org.user.access-key.regenerated",
        category: "organization",
        label: "User access key regenerated",
        template: "{actor} regenerated the access key of {target.user}",
    },
    EventType {
        key: "org.user.auth.mfa",
        category: "organization",
        label: "User MFA settings updated",
        template: "{actor} updated the MFA settings of {target.user}",
    },
    EventType {
        key: "org.user.deleted",
        category: "organization",
        label: "User removed from organization",
        template: "{actor} removed {target.user} from the organization",
    },
    EventType {
        key: "org.user.password.changed",
        category: "organization",
        label: "User password changed",
        template: "{actor} changed the password of {target.user}",
    },
    EventType {
        key: "org.user.profile.updated",
        category: "organization",
        label: "User profile updated",
        template: "{actor} updated the profile of {target.user}",
    },
    EventType {
        key: "org.user.role.updated",
        category: "organization",
        label: "User role updated",
        template: "{actor} updated the role of {target.user} to {details.role}",
    },
    EventType {
        key: "permission.created",
        category: "permission",
        label: "Permission created",
        template: "{actor} defined the permission {target.permission}",
    },
    EventType {
        key: "retention.purged",
        category: "retention",
        label: "Expired events purged",
        template: "{actor} archived and purged events {details.first_seq} to {details.through_seq}, past retention",
    },
    EventType {
        key: "retention.updated",
        category: "retention",
        label: "Retention changed",
        template: "{actor} changed the retention settings of {target.organization}",
    },
    EventType {
        key: "role.created",
        category: "role",
        label: "Role created",
        template: "{actor} added a new role {target.role}",
    },
    EventType {
        key: "role.deleted",
        category: "role",
        label: "Role deleted",
        template: "{actor} deleted the role {target.role}",
    },
    EventType {
        key: "role.updated",
        category: "role",
        label: "Role updated",
        template: "{actor} updated the role {target.role}",
    },
    EventType {
        key: "security.account.lockout",
        category: "security",
        label: "Account locked",
        template: "Account {target.user} was locked after repeated failed logins",
    },
    EventType {
        key: "security.brute_force.detected",
        category: "security",
        label: "Brute force detected",
        template: "A brute force attempt against {target.user} was detected by {actor}",
    },
    EventType {
        key: "security.impossible_travel",
        category: "security",
        label: "Impossible travel",
        template: "Impossible travel detected for {target.user} by {actor}",
    },
    EventType {
        key: "security.risk.high",
        category: "security",
        label: "High risk score",
        template: "A high risk score was triggered for {target} by {actor}",
    },
    EventType {
        key: "signing_key.rotated",
        category: "signing_key",
        label: "Signing key rotated",
        template: "{actor} rotated the signing key {target}",
    },
    EventType {
        key: "token.issued",
        category: "token",
        label: "Token issued",
        template: "An access token for {target} was issued to {actor}",
    },
    EventType {
        key: "token.revoked",
        category: "token",
        label: "Token revoked",
        template: "{actor} revoked the token {target}",
    },
    EventType {
        key: "user.access-key.regenerated",
        category: "user",
        label: "Access key regenerated",
        template: "{actor} regenerated their access key",
    },
    EventType {
        key: "user.activated",
        category: "user",
        label: "User activated",
        template: "{target.user} was activated by {actor}",
    },
    EventType {
        key: "user.auth.mfa",
        category: "user",
        label: "MFA settings updated",
        template: "{actor} updated their MFA settings",
    },
    EventType {
        key: "user.created",
        category: "user",
        label: "User created",
        template: "User {target.user} was created by {actor}",
    },
    EventType {
        key: "user.deleted",
        category: "user",
        label: "User deleted",
        template: "{target.user} was deleted by {actor}",
    },
    EventType {
        key: "user.email-preference.updated",
        category: "user",
        label: "Email preference updated",
        template: "{actor} updated their email preferences",
    },
    EventType {
        key: "user.email.verified",
        category: "user",
        label: "Email verified",
        template: "{actor} verified their email address",
    },
    EventType {
        key: "user.group.added",
        category: "user",
        label: "Added to group",
        template: "{actor} added {target.user} to the group {target.group}",
    },
    EventType {
        key: "user.group.removed",
        category: "user",
        label: "Removed from group",
        template: "{actor} removed {target.user} from the group {target.group}",
    },
    EventType {
        key: "user.invited",
        category: "user",
        label: "User invited",
        template: "{target.user} was invited by {actor}",
    },
    EventType {
        key: "user.login",
        category: "user",
        label: "Logged in",
        template: "{actor} logged in",
    },
    EventType {
        key: "user.logout",
        category: "user",
        label: "Logged out",
        template: "{actor} logged out",
    },
    EventType {
        key: "user.new_device_logged_in",
        category: "user",
        label: "New device login",
        template: "{actor} successfully logged in using a new device",
    },
    EventType {
        key: "user.password.changed",
        category: "user",
        label: "Password changed",
        template: "{actor} changed their password",
    },
    EventType {
        key: "user.password.forgot",
        category: "user",
        label: "Password reset",
        template: "{actor} reset their password",
    },
    EventType {
        key: "user.password_edited",
        category: "user",
        label: "Password edited",
        template: "{actor} password edited",
    },
    EventType {
        key: "user.password_reset_requested",
        category: "user",
        label: "Password reset requested",
        template: "{actor} requested to change password",
    },
    EventType {
        key: "user.profile.deletion-request",
        category: "user",
        label: "Account deletion requested",
        template: "{actor} requested the deletion of their account",
    },
    EventType {
        key: "user.profile.updated",
        category: "user",
        label: "Profile updated",
        template: "{actor} updated their profile",
    },
    EventType {
        key: "user.role.assigned",
        category: "user",
        label: "Role assigned",
        template: "{actor} assigned the role {details.role} to {target.user}",
    },
    EventType {
        key: "user.role.removed",
        category: "user",
        label: "Role removed",
        template: "{actor} removed the role {details.role} from {target.user}",
    },
    EventType {
        key: "user.role_edited",
        category: "user",
        label: "User role edited",
        template: "{target.user}'s role was edited to {details.role} by {actor}",
    },
    EventType {
        key: "user.signed_up",
        category: "user",
        label: "User signed up",
        template: "{actor} joined",
    },
    EventType {
        key: "user.suspended",
        category: "user",
        label: "User suspended",
        template: "{target.user} was suspended by {actor}",
    },
    EventType {
        key: "user.updated",
        category: "user",
        label: "User updated",
        template: "{actor} modified the profile of {target.user}",
    },
    EventType {
        key: "webhook.created",
        category: "webhook_endpoint",
        label: "Webhook registered",
        template: "{actor} registered the webhook {details.url}",
    },
    EventType {
        key: "webhook_endpoint.created",
        category: "webhook_endpoint",
        label: "Webhook endpoint created",
        template: "A new webhook endpoint {details.url} was created by {actor}",
    },
    EventType {
        key: "webhook_endpoint.deleted",
        category: "webhook_endpoint",
        label: "Webhook endpoint deleted",
        template: "A webhook endpoint {details.url} was deleted by {actor}",
    },
    EventType {
        key: "webhook_endpoint.updated",
        category: "webhook_endpoint",
        label: "Webhook endpoint updated",
        template: "A webhook endpoint {details.url} was updated by {actor}",
    },
];

#[cfg(test)]
mod tests {
    use super::ENTRIES;
    use crate::catalog::lookup;

    /// Every key listed in `shared/CATALOGUE.md`, in the document's order (duplicates included).
    const SOURCE_KEYS: &[&str] = &[
        "user.signed_up",
        "user.new_device_logged_in",
        "user.deleted",
        "user.invited",
        "user.role_edited",
        "user.password_reset_requested",
        "user.password_edited",
        "role.created",
        "role.updated",
        "role.deleted",
        "api_key.created",
        "api_key.updated",
        "api_key.deleted",
        "api_key.rotated",
        "webhook_endpoint.created",
        "webhook_endpoint.updated",
        "webhook_endpoint.deleted",
        "export.created",
        "integration.created",
        "integration.updated",
        "integration.deleted",
        "billing_entity.created",
        "billing_entity.updated",
        "auth.login.success",
        "auth.login.failure",
        "auth.logout",
        "auth.password_reset.request",
        "auth.password_reset.complete",
        "auth.mfa.challenge",
        "auth.mfa.success",
        "auth.mfa.failure",
        "auth.social.login",
        "auth.saml.login",
        "auth.passkey.login",
        "auth.device.authorize",
        "user.created",
        "user.updated",
        "user.deleted",
        "user.suspended",
        "user.activated",
        "user.invited",
        "user.role.assigned",
        "user.role.removed",
        "user.group.added",
        "user.group.removed",
        "app.created",
        "app.updated",
        "app.deleted",
        "app.secret.rotated",
        "token.issued",
        "token.revoked",
        "role.created",
        "role.updated",
        "role.deleted",
        "permission.created",
        "group.created",
        "config.updated",
        "webhook.created",
        "signing_key.rotated",
        "gdpr.export.requested",
        "gdpr.export.completed",
        "gdpr.delete.requested",
        "gdpr.delete.completed",
        "security.brute_force.detected",
        "security.impossible_travel",
        "security.risk.high",
        "security.account.lockout",
        "USER_REGISTERED",
        "USER_LOGIN",
        "USER_CREATED",
        "USER_UPDATED",
        "USER_DELETED",
        "SESSION_STARTED",
        "SESSION_STOPPED",
        "SESSION_EXTENDED",
        "SESSION_EXPIRED",
        "RESOURCE_CREATED",
        "RESOURCE_UPDATED",
        "RESOURCE_DELETED",
        "CREDENTIAL_CREATED",
        "CREDENTIAL_DELETED",
        "ROLE_CREATED",
        "ROLE_UPDATED",
        "ROLE_DELETED",
        "user.password.changed",
        "user.access-key.regenerated",
        "org.user.role.updated",
        "org.user.password.changed",
        "org.user.access-key.regenerated",
        "org.service-account.access-key.regenerated",
        "user.email-preference.updated",
        "user.profile.deletion-request",
        "org.user.deleted",
        "user.password.forgot",
        "org.support-access.granted",
        "org.support-access.revoked",
        "org.service-account.created",
        "org.service-account.deleted",
        "user.profile.updated",
        "user.login",
        "org.invitation.sent",
        "user.email.verified",
        "org.invitation.accepted",
        "org.invitation.declined",
        "user.logout",
        "org.details.updated",
        "org.user.profile.updated",
        "org.service-account.profile.updated",
        "org.invitation.resent",
        "org.invitation.withdrawn",
        "org.auth.mfa",
        "user.auth.mfa",
        "org.user.auth.mfa",
        "org.subscription.created",
        "org.subscription.updated",
        "org.subscription.cancelled",
        "org.subscription.revoked",
        "org.payment-method.added",
        "org.payment-method.deleted",
        "org.payment-method.default-updated",
        "SECRET_SET",
        "SECRET_READ",
        "SECRET_LIST",
        "SECRET_DELETE",
        "PROJECT_CREATE",
        "PROJECT_UPDATE",
        "PROJECT_DELETE",
        "VARIABLE_SET",
        "VARIABLE_DELETE",
        "ENV_BULK_UPLOAD",
        "TEAM_INVITE",
        "TEAM_MEMBER_ADD",
        "TEAM_MEMBER_REMOVE",
        "TEAM_ROLE_CHANGE",
        "API_KEY_CREATE",
        "API_KEY_REVOKE",
        "USER_LOGIN",
        "USER_2FA_ENABLE",
        "USER_2FA_DISABLE",
        "PASSWORD_CHANGE",
        "BILLING_PLAN_CHANGE",
        "BILLING_PAYMENT",
        "BILLING_CANCEL",
    ];

    #[test]
    fn entries_are_sorted_by_key_and_unique() {
        for pair in ENTRIES.windows(2) {
            assert!(
                pair[0].key < pair[1].key,
                "{} must sort before {}",
                pair[0].key,
                pair[1].key
            );
        }
    }

    #[test]
    fn every_key_of_the_five_source_products_is_catalogued() {
        for key in SOURCE_KEYS {
            assert!(lookup(key).is_some(), "{key} is missing from the catalogue");
        }
    }

    /// The placeholders inside `{…}` of a template.
    fn placeholders(template: &str) -> Vec<&str> {
        template
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect()
    }

    #[test]
    fn templates_use_only_known_placeholders_and_name_someone() {
        for entry in ENTRIES {
            let names = placeholders(entry.template);
            assert!(
                !names.is_empty(),
                "{} mentions no actor or target",
                entry.key
            );
            for name in names {
                let known = matches!(name, "actor" | "target" | "action")
                    || name.strip_prefix("target.").is_some_and(|t| !t.is_empty())
                    || name.strip_prefix("details.").is_some_and(|d| !d.is_empty());
                assert!(known, "{}: unknown placeholder {{{name}}}", entry.key);
            }
        }
    }

    #[test]
    fn categories_are_snake_case() {
        for entry in ENTRIES {
            assert!(
                entry
                    .category
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{}: category {}",
                entry.key,
                entry.category
            );
        }
    }
}
