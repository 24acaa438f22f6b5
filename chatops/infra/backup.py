"""AWS Backup for the database: vault, service role, plan (daily; weekly and point-in-time recovery per
profile; optional cross-region copy) and the selection of the RDS instance.

Vaults are always encrypted by AWS Backup (here with the account's AWS-managed `aws/backup` key).
The cross-region copy vault lives in the destination region through pulumi-aws 7's per-resource
`region` argument, so no second provider (and no second set of default tags or credentials) is needed.
"""

from __future__ import annotations

import json
from typing import Optional

import pulumi
import pulumi_aws as aws

from chatops.model.naming import Names
from chatops.model.profile import Profile

#: Backup only. The selection's role runs backup jobs; a restore job names its own role when an operator
#: starts it (AWS Backup Developer Guide, "IAM service roles": ...ForRestores is the managed policy for
#: restore jobs). Attaching it here would let the backup role create and overwrite resources for nothing.
SERVICE_POLICIES = (
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
)
START_WINDOW_MINUTES = 60
COMPLETION_WINDOW_MINUTES = 360


class BackupPlan(pulumi.ComponentResource):
    vault_name: pulumi.Output[str]
    vault_arn: pulumi.Output[str]
    plan_id: pulumi.Output[str]
    copy_vault_arn: Optional[pulumi.Output[str]]

    def __init__(self, name: str, *, profile: Profile, names: Names, database_arn: pulumi.Input[str],
                 destroying: bool = False, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        """destroying: `destroy --unprotect` is about to delete the stack (vaults deleted with their points)."""
        super().__init__("chatops:data:BackupPlan", name, None, opts)
        self._profile = profile
        self._names = names
        self._child = pulumi.ResourceOptions(parent=self)
        prod = profile.is_production
        # Recovery points must survive a mistaken destroy in prod; dev vaults empty themselves on destroy.
        vault_opts = pulumi.ResourceOptions(parent=self, protect=prod)

        emptied_on_delete = not prod or destroying
        vault = aws.backup.Vault("vault", name=names.of("backup_vault", "vault"), force_destroy=emptied_on_delete,
                                 opts=vault_opts)
        self.copy_vault_arn = None
        copy = profile.backup.cross_region_copy
        if copy.enabled:
            copy_vault = aws.backup.Vault("copy-vault", name=names.of("backup_vault", "vault-copy"),
                                          region=copy.destination_region, force_destroy=emptied_on_delete,
                                          opts=vault_opts)
            self.copy_vault_arn = copy_vault.arn

        role = self._role()
        plan = aws.backup.Plan("plan", name=names.of("backup_plan", "plan"),
                               rules=self._rules(vault.name), opts=self._child)
        aws.backup.Selection("database", name=names.of("backup_selection", "database"), plan_id=plan.id,
                             iam_role_arn=role.arn, resources=[database_arn], opts=self._child)

        self.vault_name = vault.name
        self.vault_arn = vault.arn
        self.plan_id = plan.id
        self.register_outputs({"vault_name": self.vault_name, "plan_id": self.plan_id,
                               "copy_vault_arn": self.copy_vault_arn})

    def _role(self) -> aws.iam.Role:
        role = aws.iam.Role(
            "backup-role", name=self._names.global_name("iam_role", "backup"),
            assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
            opts=self._child)
        for policy in SERVICE_POLICIES:
            aws.iam.RolePolicyAttachment(f"backup-{policy.rsplit('For', 1)[1].lower()}", role=role.name,
                                         policy_arn=policy, opts=self._child)
        return role

    def _rules(self, vault_name: pulumi.Output[str]) -> list[aws.backup.PlanRuleArgs]:
        b = self._profile.backup
        rules = [self._rule("daily", vault_name, b.daily_schedule, b.daily_retention_days,
                            continuous=b.point_in_time_recovery)]
        if b.weekly_retention_days > 0 and b.weekly_schedule:
            rules.append(self._rule("weekly", vault_name, b.weekly_schedule, b.weekly_retention_days))
        return rules

    def _rule(self, rule_name: str, vault_name: pulumi.Output[str], schedule: str, retention_days: int,
              continuous: bool = False) -> aws.backup.PlanRuleArgs:
        copy_actions = None
        if self.copy_vault_arn is not None:
            copy_actions = [aws.backup.PlanRuleCopyActionArgs(
                destination_vault_arn=self.copy_vault_arn,
                lifecycle=aws.backup.PlanRuleCopyActionLifecycleArgs(delete_after=retention_days))]
        return aws.backup.PlanRuleArgs(
            rule_name=rule_name, target_vault_name=vault_name, schedule=schedule,
            start_window=START_WINDOW_MINUTES, completion_window=COMPLETION_WINDOW_MINUTES,
            # Point-in-time recovery (continuous backup) keeps at most 35 days; profile rules enforce it.
            enable_continuous_backup=continuous or None,
            lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=retention_days),
            copy_actions=copy_actions)
