DROP TRIGGER users_org_epoch_email ON users;
