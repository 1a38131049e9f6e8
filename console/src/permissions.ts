// The write operations whose buttons the console shows or hides. Which ones an administrator may call comes from
// the server with the session (AllowedOperations, from the policy table the API enforces).
export type WriteOperation =
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
  | 'RestoreAccount';
