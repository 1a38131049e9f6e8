// The operations whose screens and buttons the console shows or hides. Which ones an administrator may call comes
// from the server with the session (AllowedOperations, from the policy table the API enforces).
export type GatedOperation =
  | 'InviteUsers'
  | 'UpdateUser'
  | 'BatchUpdateUser'
  | 'BatchSuspendUser'
  | 'BatchUnsuspendUser'
  | 'ResetPersonalPIN'
  | 'LogoutUser'
  | 'CreateAccount'
  | 'UpdateAccount'
  | 'DeleteAccount'
  | 'UpdateAccountSettings'
  | 'RestoreAccount'
  | 'ListAdministrators'
  | 'InviteAdministrator'
  | 'DisableAdministrator'
  | 'ListAccessKeys'
  | 'CreateAccessKey'
  | 'RevokeAccessKey'
  | 'ClaimDomain'
  | 'VerifyDomain'
  | 'ReleaseDomain';
