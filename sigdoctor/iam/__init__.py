"""What the `permissions` probe needs from IAM and the targets: the principal to check, SimulatePrincipalPolicy,
the harmless live request per target kind, and the command lines an administrator can run instead."""
