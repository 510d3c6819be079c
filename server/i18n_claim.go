package server

// The claim pages' texts, added to the catalog (i18n.go).
var claimCatalog = map[string]map[string]string{
	"en": {
		"claim_from": "A payment from", "claim_for": "For", "claim_until": "Claim it before",
		"claim_send": "Send me a code by SMS", "claim_resend": "Send a new code",
		"claim_code_explain": "To prove it is you, we send a 6-digit code by SMS to the number on file:",
		"claim_sent":         "A code was sent by SMS to", "claim_code": "The 6-digit code", "claim_verify": "Check the code",
		"claim_six_digits":     "The code is the 6 digits of the SMS: type them again.",
		"claim_wrong_code":     "This code is wrong: %d more wrong code(s) lock the link for an hour. Check the SMS and type it again, or ask for a new code.",
		"claim_code_expired":   "The code is no longer valid (it lasts 10 minutes): ask for a new one.",
		"claim_locked":         "Too many wrong codes: this link is locked. Try again after",
		"claim_review":         "Too many wrong codes: this link is locked until the payer checks it. Contact the payer.",
		"claim_too_soon":       "A code was sent a moment ago: wait for its SMS, or ask for a new one after",
		"claim_not_sent":       "The SMS could not be sent just now: try again in a few minutes.",
		"claim_not_found":      "This link does not exist. Check the address in your SMS.",
		"claim_expired":        "This link has expired: it can no longer be claimed and no money was sent. Contact the payer.",
		"claim_already":        "This link is already claimed.",
		"claim_cancelled_link": "The payer cancelled this payment: it can no longer be claimed. Contact the payer.",
		"claim_too_many":       "Too many requests: wait a minute and try again.",
		"claim_code_first":     "Enter the code sent by SMS first.",
		"claim_choose":         "How do you want to be paid?", "claim_unavailable": "not available",
		"claim_mode_mobile_money": "Mobile money", "claim_mode_cashout": "Cash at an agent", "claim_mode_bank_transfer": "Bank transfer",
		"claim_other":            "Another mobile money number (optional)",
		"claim_other_hint":       "Leave empty to be paid on the number on file.",
		"claim_other_number":     "Only the number on file can be paid: leave the other number empty.",
		"claim_bad_phone":        "The number %q cannot be paid: write a mobile money number such as +237 6XX XX XX XX, or leave it empty.",
		"claim_mode_unavailable": "This way of being paid is not available for you: choose mobile money.",
		"claim_submit":           "Claim the payment", "claim_reference": "Payment reference",
		"claim_in_progress": "Your payment is on its way", "claim_paid": "You have been paid",
		"claim_failed": "The payment failed: the payer has been told", "claim_cancelled": "The payment was cancelled by the payer",
		"claim_refresh": "This page updates by itself; you may also come back to it later.",
	},
	"fr": {
		"claim_from": "Un paiement de", "claim_for": "Pour", "claim_until": "À réclamer avant le",
		"claim_send": "Recevoir un code par SMS", "claim_resend": "Recevoir un nouveau code",
		"claim_code_explain": "Pour vérifier que c'est bien vous, nous envoyons un code à 6 chiffres par SMS au numéro enregistré :",
		"claim_sent":         "Un code a été envoyé par SMS au", "claim_code": "Le code à 6 chiffres", "claim_verify": "Vérifier le code",
		"claim_six_digits":     "Le code est composé des 6 chiffres du SMS : saisissez-les à nouveau.",
		"claim_wrong_code":     "Ce code est incorrect : encore %d code(s) incorrect(s) et le lien est bloqué pendant une heure. Vérifiez le SMS et saisissez-le à nouveau, ou demandez un nouveau code.",
		"claim_code_expired":   "Le code n'est plus valable (il dure 10 minutes) : demandez-en un nouveau.",
		"claim_locked":         "Trop de codes incorrects : ce lien est bloqué. Réessayez après",
		"claim_review":         "Trop de codes incorrects : ce lien est bloqué jusqu'à ce que le payeur le vérifie. Contactez le payeur.",
		"claim_too_soon":       "Un code vient d'être envoyé : attendez son SMS, ou demandez-en un nouveau après",
		"claim_not_sent":       "Le SMS n'a pas pu être envoyé pour l'instant : réessayez dans quelques minutes.",
		"claim_not_found":      "Ce lien n'existe pas. Vérifiez l'adresse de votre SMS.",
		"claim_expired":        "Ce lien a expiré : il ne peut plus être réclamé et aucun argent n'a été envoyé. Contactez le payeur.",
		"claim_already":        "Ce lien a déjà été réclamé.",
		"claim_cancelled_link": "Le payeur a annulé ce paiement : il ne peut plus être réclamé. Contactez le payeur.",
		"claim_too_many":       "Trop de requêtes : patientez une minute et réessayez.",
		"claim_code_first":     "Saisissez d'abord le code reçu par SMS.",
		"claim_choose":         "Comment voulez-vous être payé ?", "claim_unavailable": "indisponible",
		"claim_mode_mobile_money": "Mobile money", "claim_mode_cashout": "Retrait chez un agent", "claim_mode_bank_transfer": "Virement bancaire",
		"claim_other":            "Un autre numéro mobile money (facultatif)",
		"claim_other_hint":       "Laissez vide pour être payé sur le numéro enregistré.",
		"claim_other_number":     "Seul le numéro enregistré peut être payé : laissez l'autre numéro vide.",
		"claim_bad_phone":        "Le numéro %q ne peut pas être payé : écrivez un numéro mobile money comme +237 6XX XX XX XX, ou laissez-le vide.",
		"claim_mode_unavailable": "Ce moyen de paiement n'est pas disponible pour vous : choisissez le mobile money.",
		"claim_submit":           "Réclamer le paiement", "claim_reference": "Référence du paiement",
		"claim_in_progress": "Votre paiement est en cours", "claim_paid": "Vous avez été payé",
		"claim_failed": "Le paiement a échoué : le payeur a été prévenu", "claim_cancelled": "Le paiement a été annulé par le payeur",
		"claim_refresh": "Cette page se met à jour d'elle-même ; vous pouvez aussi y revenir plus tard.",
	},
}

func init() {
	for lang, texts := range claimCatalog {
		for k, v := range texts {
			catalog[lang][k] = v
		}
	}
}
