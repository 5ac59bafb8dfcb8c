//! Organizations and the built-in roles they start with; members added by the operator.

use super::members::check_email;
use super::passwords::{check_new_password, hash_password};
use super::Services;
use crate::store::{Organization, User};
use app::model::{ApiError, Permission, Plan};

/// The built-in roles every organization starts with.
const BUILTIN_ROLES: [(&str, &[Permission]); 3] = [
    ("admin", &Permission::ROLE_PERMISSIONS),
    ("account_manager", &[Permission::MembersManage]),
    ("finance", &[]),
];

fn valid_slug(slug: &str) -> bool {
    (2..=40).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl Services {
    /// Creates an organization with the built-in roles and the plan's default retention.
    pub async fn create_organization(
        &self,
        slug: &str,
        name: &str,
        plan: Plan,
    ) -> Result<Organization, ApiError> {
        if !valid_slug(slug) {
            return Err(
                ApiError::invalid("slug must be 2-40 characters of a-z, 0-9 and -")
                    .with_field("slug"),
            );
        }
        if name.trim().is_empty() {
            return Err(ApiError::invalid("name must not be empty").with_field("name"));
        }
        let retention = plan.max_retention_days().min(90);
        let mut tx = self.stores.identity.begin().await?;
        let org = tx
            .create_organization(slug, name.trim(), plan, retention)
            .await?;
        for (role, permissions) in BUILTIN_ROLES {
            tx.create_role(org.id, role, permissions, true).await?;
        }
        tx.commit().await?;
        Ok(org)
    }

    /// The organization with this slug, or 404.
    pub async fn organization(&self, slug: &str) -> Result<Organization, ApiError> {
        self.stores
            .identity
            .organization_by_slug(slug)
            .await?
            .ok_or_else(|| ApiError::not_found("organization"))
    }

    /// Creates a custom role.
    pub async fn create_custom_role(
        &self,
        org: &Organization,
        name: &str,
        permissions: &[Permission],
    ) -> Result<(), ApiError> {
        let mut tx = self.stores.identity.begin().await?;
        tx.create_role(org.id, name, permissions, false).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a member with a role, creating the user (with `password`) if the email is new.
    pub async fn add_member(
        &self,
        org: &Organization,
        email: &str,
        display_name: &str,
        role_name: &str,
        password: &str,
    ) -> Result<User, ApiError> {
        let email = email.trim();
        check_email(email)?;
        check_new_password(password, "password")?;
        let role = self
            .stores
            .identity
            .role_by_name(org.id, role_name)
            .await?
            .ok_or_else(|| ApiError::not_found("role").with_field("role"))?;
        let existing = self.stores.identity.user_by_email(email).await?;
        let mut tx = self.stores.identity.begin().await?;
        let user = match existing {
            Some(user) => user,
            None => {
                let hash = hash_password(password.to_owned()).await?;
                tx.create_user(email, display_name, &hash).await?
            }
        };
        tx.add_member(org.id, user.id, role.id).await?;
        tx.commit().await?;
        Ok(user)
    }
}
