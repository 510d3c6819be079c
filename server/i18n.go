package server

import (
	"net/http"
	"net/url"
	"strings"

	xlang "golang.org/x/text/language"
)

// The languages of the pages: English and French, from the language cookie
// (the switch in every page's header), else the browser's Accept-Language.
var (
	langs   = []xlang.Tag{xlang.English, xlang.French}
	matcher = xlang.NewMatcher(langs)
)

func language(r *http.Request) string {
	var cookie string
	if c, err := r.Cookie(langCookie); err == nil {
		cookie = c.Value
	}
	_, i := xlang.MatchStrings(matcher, cookie, r.Header.Get("Accept-Language"))
	if i == 1 {
		return "fr"
	}
	return "en"
}

// setLang switches the language and goes back to the page it was asked from
// (a path of this site only).
func (s *Server) setLang(w http.ResponseWriter, r *http.Request, rq *request) {
	lang := r.PathValue("lang")
	if _, ok := catalog[lang]; !ok {
		s.fail(w, rq, http.StatusNotFound, rq.T["not_found"])
		return
	}
	c := s.cookie(langCookie, lang, 365*24*3600)
	c.HttpOnly = false
	http.SetCookie(w, c)
	back := "/"
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host && strings.HasPrefix(ref.Path, "/") && !strings.HasPrefix(ref.Path, "//") {
		back = ref.Path
		if ref.RawQuery != "" {
			back += "?" + ref.RawQuery
		}
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// catalog holds every text of the pages, by language. A test checks that
// every key a page or handler uses is in both.
var catalog = map[string]map[string]string{
	"en": {
		"account": "Account", "all_items": "All items", "all_operators": "All operators", "all_providers": "All providers",
		"all_states": "All states", "allow_repeat": "Pay rows another batch already pays for the same period",
		"amount": "Amount", "answer": "Answer", "approval": "Approval", "approve": "Approve this plan", "approved_by": "approved by", "pay_by_link": "Pay every row by link: each beneficiary gets a link by SMS and claims the payment",
		"attempts": "Attempts", "available": "Available", "awaiting_approval": "Waiting for an approver who did not plan it to approve this plan.", "back_to_batches": "Back to the batches",
		"bad_form": "The form could not be read.", "balance_check": "Provider balances", "balance_ok": "enough",
		"balance_short": "short: fund the accounts before starting", "batch": "Batch", "batches": "Batches",
		"bearer_sender": "borne by the organisation", "bearer_beneficiary": "borne by the beneficiaries", "by_provider": "By provider and operator", "change": "Change",
		"check_and_plan": "Check and plan", "choose_file": "Choose a sheet (xlsx or csv).", "column": "Column",
		"cost": "Cost to the organisation", "csrf": "This form has expired or did not come from bulkpay: reload the page and try again.",
		"decision": "Decision", "detail": "Detail", "done": "Done", "download_csv": "Download these rows (csv)",
		"drop_here": "or drop the file here", "events": "Events", "expect_total": "Expected total",
		"fees": "Fees", "filter": "Filter", "first_sheet": "the first sheet", "forbidden": "Your role does not allow this.",
		"internal":     "Something went wrong on the server; it is in the server's log. Nothing was sent because of it.",
		"invalid_rows": "Rows to fix", "items": "Items", "items_found": "%d item(s)", "kind": "Kind",
		"more_errors": "… and %d more row error(s), not listed: fix these and upload the sheet again to see them.",
		"locked":      "Too many failed sign-ins: this account is locked until", "message": "Message", "name": "Name",
		"needed": "Needed", "new_batch": "New batch", "no_batch": "No such batch.", "no_batches": "No batch yet.",
		"no_rows": "The sheet has no beneficiary rows.", "not_approved": "not approved", "not_found": "Not found.",
		"note": "Note", "nothing_in_review": "No item needs a decision.", "nothing_planned": "Nothing was planned: fix the rows and upload the sheet again.",
		"open_batch": "Open the batch", "operator": "Operator", "other_batch": "Other batch", "other_lang": "Français",
		"outcome": "Outcome", "paid": "Paid", "password": "Password", "period": "Period",
		"phone": "Phone", "plan_changed": "The plan changed since this page was shown: check it again.", "plan_hash": "Plan hash",
		"plan_of": "Plan of batch", "planned_by": "Planned by", "planned_stored": "The batch is planned and stored; nothing is sent until it is approved and started.",
		"progress": "Payment", "provider": "Provider", "reference": "Reference",
		"reference_hint": "default: the file's name", "reject": "Reject", "reject_needs_note": "Say why the plan is rejected.",
		"repeats":       "Some rows are already paid or planned for this period in another batch: nothing was planned.",
		"repeats_title": "Payments already made", "reports": "Reports", "request": "Request", "resolve": "Record the decision",
		"resume": "Resume", "review_queue": "Review queue", "row": "Row",
		"rows_summary": "%d row(s): %d valid, %d to fix.", "rules": "Rules", "run_ended": "Finished",
		"running": "Paying…", "sandbox_banner": "no real money moves.",
		"search_batches": "Reference or period", "search_items": "Name, phone or reference", "sheet_file": "Sheet (xlsx or csv)",
		"sheet_name": "Sheet in the workbook", "shortfall": "Missing", "sign_in": "Sign in",
		"sign_in_first": "Sign in first.", "sign_out": "Sign out", "start": "Start paying", "state": "State",
		"states": "States", "too_large": "The file is larger than bulkpay reads.", "too_long": "A field is too long.",
		"too_many_attempts": "Too many sign-in attempts from this address: wait a minute.", "total": "Total",
		"upload_again": "Upload a sheet", "upload_fixed": "Upload the fixed sheet", "user_name": "User name", "value": "Value",
		"what": "What", "what_records_show": "What the provider's records show", "what_to_do": "What to do",
		"when": "When", "who": "Who", "why_reject": "Why", "wrong_password": "Wrong user name or password.",
		"xlsx_or_csv":    "bulkpay reads .xlsx and .csv files.",
		"role_initiator": "initiator", "role_approver": "approver", "role_auditor": "auditor", "role_admin": "admin",
		"state_planned": "planned", "state_submitting": "sending", "state_pending": "pending", "state_succeeded": "paid",
		"state_failed": "failed", "state_unknown": "unknown", "state_review": "in review", "state_rejected": "rejected",
		"reconciliation": "Reconciliation", "not_reconciled": "Not reconciled yet.", "reconciled_at": "Reconciled",
		"records_agree": "the providers' records agree with the ledger", "could_not_check": "Could not be checked:",
		"users": "Users", "role": "Role", "status": "Status", "created": "Created", "active": "active", "disabled": "disabled",
		"add_user": "Add a user", "initial_password": "Password (at least 10 characters; tell it to the user apart)", "disable": "Disable",
		"users_note": "A disabled user can no longer sign in or use its API keys; its sessions end. bulkpay users does the same from the command line.",
		"profits":    "Profit configurations", "profit_in_force": "In force", "profit_history": "History", "profit_config_file": "as in the config file",
		"profits_note": "Batches planned from now on are charged by the configurations in force; a batch already planned keeps the ones it was planned with.",
		"fee":          "Fixed fee", "percentage": "Percentage", "use_percentage": "Charge a percentage instead of the fixed fee", "currency": "Currency",
		"audit": "Recent changes to users", "audit_none": "No user was added, disabled or locked out yet.",
		"audit_user_added": "added", "audit_user_disabled": "disabled", "audit_account_locked": "locked out after failed sign-ins (from this address)",
		"any_currency": "any", "save_change": "Save the change", "fee_not_number": "The fixed fee is a whole number of the currency's units.",
		"balances": "Balances", "balances_note": "Each provider's balance as it answers now (CamPay per carrier).",
		"currency_assumed": "the provider names no currency: the configured one is shown", "no_answer": "no answer",
		"reconcile": "Reconcile with the providers", "retry_title": "Failed payouts", "retry": "Propose a retry batch",
		"retry_explain":   "%d payout(s) failed. They stay failed; a retry batch pays them again under new references, once an approver approves it.",
		"state_cancelled": "cancelled", "pause": "Pause", "paused": "Paused: no payout is sent until the batch is resumed.",
		"not_running":  "This batch is not being paid by this server: there is nothing to pause here.",
		"cancel_batch": "Cancel the payouts not sent", "why_cancel": "Why",
		"cancel_explain":       "Every payout not yet sent becomes cancelled and is never sent. Payouts already sent or in doubt are not cancelled: they finish or settle, and resuming the batch settles them.",
		"cancel_confirm":       "I understand: the payouts not sent will never be sent from this batch.",
		"cancel_needs_confirm": "Tick the box to confirm the cancellation.", "cancel_needs_note": "Say why the payouts are cancelled.",
		"cancelled_count": "%d payout(s) cancelled before they were sent.",
		"cancel_left":     "%d payout(s) already sent or in doubt are not cancelled: they finish or settle (resume to settle them).",
		"names_title":     "Names before money", "name_on_sheet": "Name on the sheet", "name_result": "Check", "registered_name": "Registered name",
		"name_match": "match", "name_partial": "partial", "name_mismatch": "mismatch", "name_inactive": "inactive account",
		"name_unknown_account": "unknown account", "name_not_checkable": "not checkable",
		"names_all_match": "Every name checked matches the one registered behind its number.",
		"confirm_name":    "Confirm this name", "confirm_note": "Why the name is right", "confirmed_by": "Confirmed by",
		"confirm_needs_note": "Say why the name is right before confirming it.", "state_to_confirm": "name to confirm",
	},
	"fr": {
		"account": "Compte", "all_items": "Tous les paiements", "all_operators": "Tous les opérateurs", "all_providers": "Tous les prestataires",
		"all_states": "Tous les états", "allow_repeat": "Payer les lignes qu'un autre lot paie déjà pour la même période",
		"amount": "Montant", "answer": "Réponse", "approval": "Approbation", "approve": "Approuver ce plan", "approved_by": "approuvé par", "pay_by_link": "Payer chaque ligne par lien : chaque bénéficiaire reçoit un lien par SMS et réclame le paiement",
		"attempts": "Tentatives", "available": "Disponible", "awaiting_approval": "En attente de l'approbation de ce plan par un approbateur qui ne l'a pas planifié.", "back_to_batches": "Retour aux lots",
		"bad_form": "Le formulaire n'a pas pu être lu.", "balance_check": "Soldes des prestataires", "balance_ok": "suffisants",
		"balance_short": "insuffisants : approvisionnez les comptes avant de lancer", "batch": "Lot", "batches": "Lots",
		"bearer_sender": "à la charge de l'organisation", "bearer_beneficiary": "à la charge des bénéficiaires", "by_provider": "Par prestataire et opérateur", "change": "Changement",
		"check_and_plan": "Vérifier et planifier", "choose_file": "Choisissez un fichier (xlsx ou csv).", "column": "Colonne",
		"cost": "Coût pour l'organisation", "csrf": "Ce formulaire a expiré ou ne vient pas de bulkpay : rechargez la page et recommencez.",
		"decision": "Décision", "detail": "Détail", "done": "Terminés", "download_csv": "Télécharger ces lignes (csv)",
		"drop_here": "ou déposez le fichier ici", "events": "Événements", "expect_total": "Total attendu",
		"fees": "Frais", "filter": "Filtrer", "first_sheet": "la première feuille", "forbidden": "Votre rôle ne permet pas cette action.",
		"internal":     "Une erreur s'est produite sur le serveur ; elle est dans son journal. Rien n'a été envoyé à cause d'elle.",
		"invalid_rows": "Lignes à corriger", "items": "Paiements", "items_found": "%d paiement(s)", "kind": "Type",
		"more_errors": "… et %d autre(s) erreur(s), non listées : corrigez celles-ci et déposez la feuille à nouveau pour les voir.",
		"locked":      "Trop d'échecs de connexion : ce compte est bloqué jusqu'à", "message": "Message", "name": "Nom",
		"needed": "Nécessaire", "new_batch": "Nouveau lot", "no_batch": "Ce lot n'existe pas.", "no_batches": "Aucun lot pour l'instant.",
		"no_rows": "La feuille n'a aucune ligne de bénéficiaire.", "not_approved": "non approuvé", "not_found": "Introuvable.",
		"note": "Note", "nothing_in_review": "Aucun paiement n'attend de décision.", "nothing_planned": "Rien n'a été planifié : corrigez les lignes et déposez la feuille à nouveau.",
		"open_batch": "Ouvrir le lot", "operator": "Opérateur", "other_batch": "Autre lot", "other_lang": "English",
		"outcome": "Résultat", "paid": "Payé", "password": "Mot de passe", "period": "Période",
		"phone": "Téléphone", "plan_changed": "Le plan a changé depuis l'affichage de cette page : vérifiez-le à nouveau.", "plan_hash": "Empreinte du plan",
		"plan_of": "Plan du lot", "planned_by": "Planifié par", "planned_stored": "Le lot est planifié et enregistré ; rien n'est envoyé avant son approbation et son lancement.",
		"progress": "Paiement", "provider": "Prestataire", "reference": "Référence",
		"reference_hint": "par défaut : le nom du fichier", "reject": "Rejeter", "reject_needs_note": "Dites pourquoi le plan est rejeté.",
		"repeats":       "Des lignes sont déjà payées ou planifiées pour cette période dans un autre lot : rien n'a été planifié.",
		"repeats_title": "Paiements déjà faits", "reports": "Rapports", "request": "Requête", "resolve": "Enregistrer la décision",
		"resume": "Reprendre", "review_queue": "À examiner", "row": "Ligne",
		"rows_summary": "%d ligne(s) : %d valides, %d à corriger.", "rules": "Règles", "run_ended": "Terminé",
		"running": "Paiement en cours…", "sandbox_banner": "aucun argent réel ne circule.",
		"search_batches": "Référence ou période", "search_items": "Nom, téléphone ou référence", "sheet_file": "Feuille (xlsx ou csv)",
		"sheet_name": "Feuille du classeur", "shortfall": "Manque", "sign_in": "Se connecter",
		"sign_in_first": "Connectez-vous d'abord.", "sign_out": "Se déconnecter", "start": "Lancer le paiement", "state": "État",
		"states": "États", "too_large": "Le fichier dépasse ce que bulkpay lit.", "too_long": "Un champ est trop long.",
		"too_many_attempts": "Trop de tentatives de connexion depuis cette adresse : patientez une minute.", "total": "Total",
		"upload_again": "Déposer une feuille", "upload_fixed": "Déposer la feuille corrigée", "user_name": "Nom d'utilisateur", "value": "Valeur",
		"what": "Quoi", "what_records_show": "Ce que montrent les relevés du prestataire", "what_to_do": "Que faire",
		"when": "Quand", "who": "Qui", "why_reject": "Pourquoi", "wrong_password": "Nom d'utilisateur ou mot de passe incorrect.",
		"xlsx_or_csv":    "bulkpay lit les fichiers .xlsx et .csv.",
		"role_initiator": "initiateur", "role_approver": "approbateur", "role_auditor": "auditeur", "role_admin": "administrateur",
		"state_planned": "planifié", "state_submitting": "en envoi", "state_pending": "en attente", "state_succeeded": "payé",
		"state_failed": "échoué", "state_unknown": "inconnu", "state_review": "à examiner", "state_rejected": "rejeté",
		"reconciliation": "Rapprochement", "not_reconciled": "Pas encore rapproché.", "reconciled_at": "Rapproché le",
		"records_agree": "les relevés des prestataires concordent avec le registre", "could_not_check": "N'ont pas pu être vérifiés :",
		"users": "Utilisateurs", "role": "Rôle", "status": "Statut", "created": "Créé", "active": "actif", "disabled": "désactivé",
		"add_user": "Ajouter un utilisateur", "initial_password": "Mot de passe (au moins 10 caractères ; communiquez-le à part)", "disable": "Désactiver",
		"users_note": "Un utilisateur désactivé ne peut plus se connecter ni utiliser ses clés d'API ; ses sessions prennent fin. bulkpay users fait de même en ligne de commande.",
		"profits":    "Configurations de frais", "profit_in_force": "En vigueur", "profit_history": "Historique", "profit_config_file": "comme dans le fichier de configuration",
		"profits_note": "Les lots planifiés à partir de maintenant sont facturés selon les configurations en vigueur ; un lot déjà planifié garde celles de sa planification.",
		"fee":          "Frais fixes", "percentage": "Pourcentage", "use_percentage": "Facturer un pourcentage au lieu des frais fixes", "currency": "Devise",
		"audit": "Derniers changements des utilisateurs", "audit_none": "Aucun utilisateur n'a encore été ajouté, désactivé ni bloqué.",
		"audit_user_added": "ajouté", "audit_user_disabled": "désactivé", "audit_account_locked": "bloqué après des échecs de connexion (depuis cette adresse)",
		"any_currency": "toutes", "save_change": "Enregistrer le changement", "fee_not_number": "Les frais fixes sont un nombre entier d'unités de la devise.",
		"balances": "Soldes", "balances_note": "Le solde de chaque prestataire tel qu'il répond maintenant (CamPay par opérateur).",
		"currency_assumed": "le prestataire n'indique pas de devise : celle de la configuration est affichée", "no_answer": "pas de réponse",
		"reconcile": "Rapprocher avec les prestataires", "retry_title": "Paiements échoués", "retry": "Proposer un lot de relance",
		"retry_explain":   "%d paiement(s) ont échoué. Ils restent échoués ; un lot de relance les paie à nouveau sous de nouvelles références, une fois approuvé par un approbateur.",
		"state_cancelled": "annulé", "pause": "Mettre en pause", "paused": "En pause : aucun paiement n'est envoyé avant la reprise du lot.",
		"not_running":  "Ce lot n'est pas en cours de paiement sur ce serveur : il n'y a rien à mettre en pause ici.",
		"cancel_batch": "Annuler les paiements non envoyés", "why_cancel": "Pourquoi",
		"cancel_explain":       "Chaque paiement pas encore envoyé est annulé et ne sera jamais envoyé. Les paiements déjà envoyés ou incertains ne sont pas annulés : ils se terminent ou sont vérifiés, et la reprise du lot les vérifie.",
		"cancel_confirm":       "Je comprends : les paiements non envoyés ne seront jamais envoyés depuis ce lot.",
		"cancel_needs_confirm": "Cochez la case pour confirmer l'annulation.", "cancel_needs_note": "Dites pourquoi les paiements sont annulés.",
		"cancelled_count": "%d paiement(s) annulé(s) avant leur envoi.",
		"cancel_left":     "%d paiement(s) déjà envoyé(s) ou incertain(s) ne sont pas annulés : ils se terminent ou sont vérifiés (reprenez le lot pour les vérifier).",
		"names_title":     "Noms avant l'argent", "name_on_sheet": "Nom sur la feuille", "name_result": "Vérification", "registered_name": "Nom enregistré",
		"name_match": "concorde", "name_partial": "partiel", "name_mismatch": "ne concorde pas", "name_inactive": "compte inactif",
		"name_unknown_account": "compte inconnu", "name_not_checkable": "non vérifiable",
		"names_all_match": "Chaque nom vérifié concorde avec celui enregistré derrière son numéro.",
		"confirm_name":    "Confirmer ce nom", "confirm_note": "Pourquoi le nom est juste", "confirmed_by": "Confirmé par",
		"confirm_needs_note": "Dites pourquoi le nom est juste avant de le confirmer.", "state_to_confirm": "nom à confirmer",
	},
}
