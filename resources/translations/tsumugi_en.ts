<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en_US" sourcelanguage="en_US">
<context>
    <name />
    <message>
        <location filename="../../ui/printing.py" line="332" />
        <source>Print member card</source>
        <translation>Print member card</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="363" />
        <source>Print receipt</source>
        <translation>Print receipt</translation>
    </message>
</context>
<context>
    <name>ActionDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="59" />
        <source>Back (Esc)</source>
        <translation>Back (Esc)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="62" />
        <source>Confirm (Enter)</source>
        <translation>Confirm (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="80" />
        <source>Working…</source>
        <translation>Working…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="90" />
        <source>Close (Enter)</source>
        <translation>Close (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="104" />
        <source>%1: %2. New balance: %3</source>
        <translation>%1: %2. New balance: %3</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="107" />
        <source>Not yet confirmed by HQ (未反映): %1</source>
        <translation>Not yet confirmed by HQ (未反映): %1</translation>
    </message>
</context>
<context>
    <name>CounterScreen</name>
    <message>
        <location filename="../../ui/counter.py" line="161" />
        <source>Purchase amount (tax incl.)</source>
        <translation>Purchase amount (tax incl.)</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="180" />
        <source>Earn points</source>
        <translation>Earn points</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="181" />
        <source>Redeem points</source>
        <translation>Redeem points</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="182" />
        <source>Use coupon</source>
        <translation>Use coupon</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="183" />
        <source>Void last</source>
        <translation>Void last</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="184" />
        <source>New member</source>
        <translation>New member</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="185" />
        <source>Migrate paper card</source>
        <translation>Migrate paper card</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="186" />
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="187" />
        <source>Sign out</source>
        <translation>Sign out</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="202" />
        <source>Coming soon: paper card migration</source>
        <translation>Coming soon: paper card migration</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="338" />
        <source>Choose a member from the list, or press Esc to close the search.</source>
        <translation>Choose a member from the list, or press Esc to close the search.</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="342" />
        <source>Scan the member card first.</source>
        <translation>Scan the member card first.</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="351" />
        <source>Enter the purchase amount first.</source>
        <translation>Enter the purchase amount first.</translation>
    </message>
</context>
<context>
    <name>CouponDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="211" />
        <source>Use a coupon</source>
        <translation>Use a coupon</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="227" />
        <source>This member has no coupons to use.</source>
        <translation>This member has no coupons to use.</translation>
    </message>
</context>
<context>
    <name>CouponTableModel</name>
    <message>
        <location filename="../../ui/models.py" line="34" />
        <source>Coupon</source>
        <translation>Coupon</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="34" />
        <source>Value</source>
        <translation>Value</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="34" />
        <source>Valid until</source>
        <translation>Valid until</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <location filename="../../ui/crash.py" line="38" />
        <source>Tsumugi: an error occurred</source>
        <translation>Tsumugi: an error occurred</translation>
    </message>
    <message>
        <location filename="../../ui/crash.py" line="42" />
        <source>Something went wrong, but the counter keeps running. If it happens again, copy this report and send it to support.</source>
        <translation>Something went wrong, but the counter keeps running. If it happens again, copy this report and send it to support.</translation>
    </message>
    <message>
        <location filename="../../ui/crash.py" line="54" />
        <source>Copy report</source>
        <translation>Copy report</translation>
    </message>
    <message>
        <location filename="../../ui/crash.py" line="58" />
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/crash.py" line="71" />
        <source>Tsumugi: %n error(s) occurred</source>
        <translation><numerusform>Tsumugi: %n error(s) occurred</numerusform><numerusform>Tsumugi: %n error(s) occurred</numerusform></translation>
    </message>
    <message>
        <location filename="../../ui/crash.py" line="75" />
        <source>Copied. Paste it into an e-mail or chat to support.</source>
        <translation>Copied. Paste it into an e-mail or chat to support.</translation>
    </message>
</context>
<context>
    <name>EarnDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="130" />
        <source>Earn points</source>
        <translation>Earn points</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="134" />
        <source>Purchase amount (tax incl.): %1</source>
        <translation>Purchase amount (tax incl.): %1</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="146" />
        <source>Calculating points…</source>
        <translation>Calculating points…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="154" />
        <source>Points to add: %1</source>
        <translation>Points to add: %1</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="156" />
        <source>Press Enter to confirm.</source>
        <translation>Press Enter to confirm.</translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <location filename="../../ui/wizard.py" line="55" />
        <source>Tsumugi first-run setup</source>
        <translation>Tsumugi first-run setup</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="58" />
        <source>Next</source>
        <translation>Next</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="59" />
        <source>Back</source>
        <translation>Back</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="60" />
        <source>Finish</source>
        <translation>Finish</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="61" />
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="65" />
        <source>Welcome to Tsumugi</source>
        <translation>Welcome to Tsumugi</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="67" />
        <source>This sets up this computer as a loyalty counter. It takes a minute.</source>
        <translation>This sets up this computer as a loyalty counter. It takes a minute.</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="73" />
        <source>Language</source>
        <translation>Language</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="75" />
        <source>Set up a real store</source>
        <translation>Set up a real store</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="76" />
        <source>Try a demo store (sample members, history and a coupon)</source>
        <translation>Try a demo store (sample members, history and a coupon)</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="87" />
        <source>Store and terminal</source>
        <translation>Store and terminal</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="91" />
        <source>Store id</source>
        <translation>Store id</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="92" />
        <source>Terminal</source>
        <translation>Terminal</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="93" />
        <source>Connecting to HQ can be done later, in the settings. The counter works offline.</source>
        <translation>Connecting to HQ can be done later, in the settings. The counter works offline.</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="102" />
        <source>First store manager</source>
        <translation>First store manager</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="111" />
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="112" />
        <source>PIN (4 to 8 digits)</source>
        <translation>PIN (4 to 8 digits)</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="113" />
        <source>PIN again</source>
        <translation>PIN again</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="114" />
        <source>The manager signs in with staff number 1.</source>
        <translation>The manager signs in with staff number 1.</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="121" />
        <source>Keeping the store's keys</source>
        <translation>Keeping the store's keys</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="123" />
        <source>I understand: keep the keys in a key file on this computer (weaker)</source>
        <translation>I understand: keep the keys in a key file on this computer (weaker)</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="127" />
        <source>The store's signing key will be kept in this computer's OS keyring.</source>
        <translation>The store's signing key will be kept in this computer's OS keyring.</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="131" />
        <source>This computer has no OS keyring (Windows Credential Locker, macOS Keychain or GNOME Keyring), so Tsumugi cannot keep its keys safely. Install or unlock a keyring and start again, or, knowing it is weaker, keep the keys in a file readable only by this user:</source>
        <translation>This computer has no OS keyring (Windows Credential Locker, macOS Keychain or GNOME Keyring), so Tsumugi cannot keep its keys safely. Install or unlock a keyring and start again, or, knowing it is weaker, keep the keys in a file readable only by this user:</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="139" />
        <source>The status bar will show that the weaker key file is in use.</source>
        <translation>The status bar will show that the weaker key file is in use.</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="148" />
        <source>A store id is letters and digits, e.g. S001.</source>
        <translation>A store id is letters and digits, e.g. S001.</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="154" />
        <source>Please enter a name.</source>
        <translation>Please enter a name.</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="158" />
        <source>A PIN is 4 to 8 digits.</source>
        <translation>A PIN is 4 to 8 digits.</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="161" />
        <source>The two PINs differ.</source>
        <translation>The two PINs differ.</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="168" />
        <source>Without a keyring, the key file is the only way to continue.</source>
        <translation>Without a keyring, the key file is the only way to continue.</translation>
    </message>
</context>
<context>
    <name>GroupModel</name>
    <message>
        <location filename="../../ui/legacy_import.py" line="98" />
        <source>Group</source>
        <translation>Group</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="98" />
        <source>Rows</source>
        <translation>Rows</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="98" />
        <source>Existing members</source>
        <translation>Existing members</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="98" />
        <source>Same</source>
        <translation>Same</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="98" />
        <source>Decision</source>
        <translation>Decision</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="101" />
        <source>phone</source>
        <translation>phone</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="101" />
        <source>e-mail</source>
        <translation>e-mail</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="101" />
        <source>kana + birthday</source>
        <translation>kana + birthday</translation>
    </message>
</context>
<context>
    <name>HistoryTableModel</name>
    <message>
        <location filename="../../ui/models.py" line="70" />
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="70" />
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="70" />
        <source>Points</source>
        <translation>Points</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="70" />
        <source>Amount</source>
        <translation>Amount</translation>
    </message>
</context>
<context>
    <name>IssueModel</name>
    <message>
        <location filename="../../ui/legacy_import.py" line="88" />
        <source>Row</source>
        <translation>Row</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="88" />
        <source>Column</source>
        <translation>Column</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="88" />
        <source>Value</source>
        <translation>Value</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="88" />
        <source>Reason</source>
        <translation>Reason</translation>
    </message>
</context>
<context>
    <name>LegacyImportWindow</name>
    <message>
        <location filename="../../ui/legacy_import.py" line="151" />
        <source>Legacy ledger import</source>
        <translation>Legacy ledger import</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="157" />
        <source>No file chosen.</source>
        <translation>No file chosen.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="161" />
        <source>Auto</source>
        <translation>Auto</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="163" />
        <source>Encoding</source>
        <translation>Encoding</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="165" />
        <source>Choose file…</source>
        <translation>Choose file…</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="177" />
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="177" />
        <source>Name kana</source>
        <translation>Name kana</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="177" />
        <source>Phone number</source>
        <translation>Phone number</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="178" />
        <source>E-mail</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="178" />
        <source>Birthday</source>
        <translation>Birthday</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="178" />
        <source>Card number</source>
        <translation>Card number</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="179" />
        <source>Points</source>
        <translation>Points</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="179" />
        <source>Stamps</source>
        <translation>Stamps</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="179" />
        <source>Last visit</source>
        <translation>Last visit</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="180" />
        <source>Marketing consent</source>
        <translation>Marketing consent</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="188" />
        <source>Load mapping…</source>
        <translation>Load mapping…</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="190" />
        <source>Save mapping…</source>
        <translation>Save mapping…</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="199" />
        <location filename="../../ui/legacy_import.py" line="349" />
        <location filename="../../ui/legacy_import.py" line="369" />
        <source>Column mapping</source>
        <translation>Column mapping</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="203" />
        <source>Problems</source>
        <translation>Problems</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="211" />
        <source>Default</source>
        <translation>Default</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="220" />
        <source>Selected group</source>
        <translation>Selected group</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="222" />
        <source>Apply</source>
        <translation>Apply</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="226" />
        <source>Duplicates</source>
        <translation>Duplicates</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="230" />
        <source>Skip bad rows</source>
        <translation>Skip bad rows</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="231" />
        <source>Stop if any row is bad</source>
        <translation>Stop if any row is bad</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="242" />
        <source>Dry run (no changes)</source>
        <translation>Dry run (no changes)</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="244" />
        <source>Import</source>
        <translation>Import</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="246" />
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="280" />
        <source>Cancelled: nothing was changed.</source>
        <translation>Cancelled: nothing was changed.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="281" />
        <source>Some rows have problems, so nothing was imported.</source>
        <translation>Some rows have problems, so nothing was imported.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="282" />
        <source>The file cannot be read with this encoding; choose another.</source>
        <translation>The file cannot be read with this encoding; choose another.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="283" />
        <source>The encoding could not be detected; choose one.</source>
        <translation>The encoding could not be detected; choose one.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="284" />
        <source>A mapped column is not in this file.</source>
        <translation>A mapped column is not in this file.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="285" />
        <source>Map at least the name kana column.</source>
        <translation>Map at least the name kana column.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="286" />
        <source>Old .xls files cannot be read: save as .xlsx or CSV.</source>
        <translation>Old .xls files cannot be read: save as .xlsx or CSV.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="287" />
        <source>Choose an .xlsx or .csv file.</source>
        <translation>Choose an .xlsx or .csv file.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="288" />
        <source>This file cannot be read.</source>
        <translation>This file cannot be read.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="289" />
        <source>This is not a column mapping file.</source>
        <translation>This is not a column mapping file.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="294" />
        <source>Legacy ledger</source>
        <translation>Legacy ledger</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="295" />
        <source>Ledgers (*.xlsx *.csv *.tsv *.txt)</source>
        <translation>Ledgers (*.xlsx *.csv *.tsv *.txt)</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="306" />
        <source>Reading the file…</source>
        <translation>Reading the file…</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="325" />
        <source>(not used)</source>
        <translation>(not used)</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="337" />
        <source>%1 columns. Check the mapping, then run a dry run.</source>
        <translation>%1 columns. Check the mapping, then run a dry run.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="425" />
        <source>Dry run: nothing will be written…</source>
        <translation>Dry run: nothing will be written…</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="447" />
        <source>Importing…</source>
        <translation>Importing…</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="461" />
        <source>Cancelling…</source>
        <translation>Cancelling…</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="464" />
        <source>Dry run — nothing was written.</source>
        <translation>Dry run — nothing was written.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="464" />
        <source>Imported.</source>
        <translation>Imported.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="465" />
        <source>Members created: %1, matched: %2; points migrated: %3; rows imported: %4, skipped: %5, already imported: %6.</source>
        <translation>Members created: %1, matched: %2; points migrated: %3; rows imported: %4, skipped: %5, already imported: %6.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="472" />
        <source>Some rows have problems: the import would stop.</source>
        <translation>Some rows have problems: the import would stop.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="101" />
        <source>Welcome to Tsumugi</source>
        <translation>Welcome to Tsumugi</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="105" />
        <source>This computer is not set up as a counter yet.</source>
        <translation>This computer is not set up as a counter yet.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="108" />
        <source>Start setup</source>
        <translation>Start setup</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="140" />
        <source>Not connected</source>
        <translation>Not connected</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="142" />
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="142" />
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="143" />
        <source>%1 · unsent %2</source>
        <translation>%1 · unsent %2</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="145" />
        <source>last sync %1</source>
        <translation>last sync %1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="148" />
        <source>Weaker key file in use (no OS keyring)</source>
        <translation>Weaker key file in use (no OS keyring)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="153" />
        <source>Staff: %1 (%2)</source>
        <translation>Staff: %1 (%2)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="154" />
        <source>Signed out</source>
        <translation>Signed out</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="176" />
        <location filename="../../ui/main_window.py" line="361" />
        <source>Camera off</source>
        <translation>Camera off</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="182" />
        <source>Serial scanner %1 is not available</source>
        <translation>Serial scanner %1 is not available</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="192" />
        <source>Camera on</source>
        <translation>Camera on</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="204" />
        <source>Camera not available</source>
        <translation>Camera not available</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="205" />
        <source>No camera</source>
        <translation>No camera</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="206" />
        <source>The camera could not be used; scan with the USB scanner.</source>
        <translation>The camera could not be used; scan with the USB scanner.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="226" />
        <source>Sign in first, then scan.</source>
        <translation>Sign in first, then scan.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="237" />
        <source>The input method (IME) changed the scan. Switch the IME off (半角/全角 key) and scan again.</source>
        <translation>The input method (IME) changed the scan. Switch the IME off (半角/全角 key) and scan again.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="239" />
        <source>IME is on: switch it off and scan again.</source>
        <translation>IME is on: switch it off and scan again.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="248" />
        <source>Part of a scan was lost; please scan again.</source>
        <translation>Part of a scan was lost; please scan again.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="271" />
        <source>Creating the store…</source>
        <translation>Creating the store…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="274" />
        <source>The store is ready. Sign in as staff number %1.</source>
        <translation>The store is ready. Sign in as staff number %1.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="318" />
        <source>Signed out after a quiet while.</source>
        <translation>Signed out after a quiet while.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="365" />
        <source>Settings saved.</source>
        <translation>Settings saved.</translation>
    </message>
</context>
<context>
    <name>MemberPanel</name>
    <message>
        <location filename="../../ui/counter.py" line="38" />
        <source>Scan the member card</source>
        <translation>Scan the member card</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="68" />
        <source>Balance</source>
        <translation>Balance</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="116" />
        <source>Member no. %1</source>
        <translation>Member no. %1</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="120" />
        <source>HQ confirmed %1 / not yet confirmed (未反映) %2</source>
        <translation>HQ confirmed %1 / not yet confirmed (未反映) %2</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="123" />
        <source>All confirmed by HQ</source>
        <translation>All confirmed by HQ</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="124" />
        <source>Coupons available: %1</source>
        <translation>Coupons available: %1</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="127" />
        <source>● Birthday today</source>
        <translation>● Birthday today</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="129" />
        <source>● Birthday this month</source>
        <translation>● Birthday this month</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="131" />
        <source>● %1 expiring within 30 days</source>
        <translation>● %1 expiring within 30 days</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="134" />
        <source>● Coupon ready: %1 (until %2)</source>
        <translation>● Coupon ready: %1 (until %2)</translation>
    </message>
</context>
<context>
    <name>MemberSearchBox</name>
    <message>
        <location filename="../../ui/search.py" line="63" />
        <source>Search: kana, phone or member number (Ctrl+F)</source>
        <translation>Search: kana, phone or member number (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../ui/search.py" line="140" />
        <source>Searching…</source>
        <translation>Searching…</translation>
    </message>
    <message>
        <location filename="../../ui/search.py" line="158" />
        <source>No member found.</source>
        <translation>No member found.</translation>
    </message>
</context>
<context>
    <name>MemberSearchModel</name>
    <message>
        <location filename="../../ui/models.py" line="130" />
        <source>Member no.</source>
        <translation>Member no.</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="130" />
        <source>Name kana</source>
        <translation>Name kana</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="130" />
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="130" />
        <source>Phone</source>
        <translation>Phone</translation>
    </message>
</context>
<context>
    <name>MigratePaperCardDialog</name>
    <message>
        <location filename="../../ui/migrate.py" line="119" />
        <location filename="../../ui/migrate.py" line="123" />
        <source>Migrate paper card</source>
        <translation>Migrate paper card</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="133" />
        <source>Back (Esc)</source>
        <translation>Back (Esc)</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="136" />
        <location filename="../../ui/migrate.py" line="281" />
        <location filename="../../ui/migrate.py" line="282" />
        <location filename="../../ui/migrate.py" line="433" />
        <source>Next (Enter)</source>
        <translation>Next (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="164" />
        <source>Scan the paper card's barcode, or type its number.</source>
        <translation>Scan the paper card's barcode, or type its number.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="177" />
        <source>What does the card hold?</source>
        <translation>What does the card hold?</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="179" />
        <source>Stamps</source>
        <translation>Stamps</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="180" />
        <source>Points</source>
        <translation>Points</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="203" />
        <source>Optional: take a photo of the card as evidence (kept on this PC).</source>
        <translation>Optional: take a photo of the card as evidence (kept on this PC).</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="204" />
        <source>Take photo</source>
        <translation>Take photo</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="209" />
        <source>No camera is set up on this PC.</source>
        <translation>No camera is set up on this PC.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="211" />
        <source>No photo.</source>
        <translation>No photo.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="217" />
        <source>Whose card is it? Scan their member code, pick a suggestion, or register a new member.</source>
        <translation>Whose card is it? Scan their member code, pick a suggestion, or register a new member.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="219" />
        <source>Member code or member number</source>
        <translation>Member code or member number</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="225" />
        <source>Phone number</source>
        <translation>Phone number</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="227" />
        <source>Name kana</source>
        <translation>Name kana</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="229" />
        <source>Birthday (YYYY/MM/DD)</source>
        <translation>Birthday (YYYY/MM/DD)</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="232" />
        <source>Suggest</source>
        <translation>Suggest</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="245" />
        <source>Marketing consent</source>
        <translation>Marketing consent</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="247" />
        <source>Register new member</source>
        <translation>Register new member</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="280" />
        <source>Confirm (Enter)</source>
        <translation>Confirm (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="280" />
        <source>Close (Enter)</source>
        <translation>Close (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="281" />
        <source>Skip (Enter)</source>
        <translation>Skip (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="321" />
        <location filename="../../ui/migrate.py" line="529" />
        <source>Enter the stamps or points on the card.</source>
        <translation>Enter the stamps or points on the card.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="330" />
        <source>Choose the member first.</source>
        <translation>Choose the member first.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="358" />
        <source>Scan or type the card number.</source>
        <translation>Scan or type the card number.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="360" />
        <source>Checking the card…</source>
        <translation>Checking the card…</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="366" />
        <location filename="../../ui/migrate.py" line="478" />
        <source>Card %1</source>
        <translation>Card %1</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="398" />
        <source>%1 stamps × %2 pt</source>
        <translation>%1 stamps × %2 pt</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="401" />
        <source>Capped at %1 pt per card (the card holds %2 pt)</source>
        <translation>Capped at %1 pt per card (the card holds %2 pt)</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="403" />
        <location filename="../../ui/migrate.py" line="479" />
        <source>Points to migrate: %1</source>
        <translation>Points to migrate: %1</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="411" />
        <source>Taking the photo…</source>
        <translation>Taking the photo…</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="430" />
        <source>Photo taken (%1 KB).</source>
        <translation>Photo taken (%1 KB).</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="431" />
        <source>Take again</source>
        <translation>Take again</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="435" />
        <source>The camera could not take a photo; you can go on without one.</source>
        <translation>The camera could not take a photo; you can go on without one.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="454" />
        <source>Registering…</source>
        <translation>Registering…</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="474" />
        <source>Member %1 (%2)</source>
        <translation>Member %1 (%2)</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="482" />
        <source>Photo: yes</source>
        <translation>Photo: yes</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="482" />
        <source>Photo: none</source>
        <translation>Photo: none</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="483" />
        <source>Press Enter to confirm.</source>
        <translation>Press Enter to confirm.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="492" />
        <source>Working…</source>
        <translation>Working…</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="499" />
        <source>Paper card migrated: %1. New balance: %2</source>
        <translation>Paper card migrated: %1. New balance: %2</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="502" />
        <source>Not yet confirmed by HQ (未反映): %1</source>
        <translation>Not yet confirmed by HQ (未反映): %1</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="521" />
        <source>Already migrated (移行済み): on %1 at store %2, to member %3.</source>
        <translation>Already migrated (移行済み): on %1 at store %2, to member %3.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="525" />
        <source>The card number's check digit is wrong: please check the number.</source>
        <translation>The card number's check digit is wrong: please check the number.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="526" />
        <source>This does not look like a paper card number.</source>
        <translation>This does not look like a paper card number.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="527" />
        <source>This is a member code, not a paper card.</source>
        <translation>This is a member code, not a paper card.</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="528" />
        <source>This card was cancelled and cannot be migrated.</source>
        <translation>This card was cancelled and cannot be migrated.</translation>
    </message>
</context>
<context>
    <name>NewMemberDialog</name>
    <message>
        <location filename="../../ui/member.py" line="33" />
        <location filename="../../ui/member.py" line="37" />
        <source>New member registration</source>
        <translation>New member registration</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="47" />
        <source>e.g. ヤマダハナコ</source>
        <translation>e.g. ヤマダハナコ</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="52" />
        <source>Agrees to receive news and offers</source>
        <translation>Agrees to receive news and offers</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="53" />
        <source>Name kana (required)</source>
        <translation>Name kana (required)</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="54" />
        <source>Name (optional)</source>
        <translation>Name (optional)</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="55" />
        <source>Phone number (optional)</source>
        <translation>Phone number (optional)</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="56" />
        <source>E-mail (optional)</source>
        <translation>E-mail (optional)</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="68" />
        <source>The customer can photograph this code; it is their member card.</source>
        <translation>The customer can photograph this code; it is their member card.</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="81" />
        <source>Back (Esc)</source>
        <translation>Back (Esc)</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="84" />
        <source>Print card</source>
        <translation>Print card</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="87" />
        <source>Register (Enter)</source>
        <translation>Register (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="105" />
        <source>Registering…</source>
        <translation>Registering…</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="119" />
        <source>Registered. Member no. %1</source>
        <translation>Registered. Member no. %1</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="127" />
        <source>Printing is not set up yet</source>
        <translation>Printing is not set up yet</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="128" />
        <source>Done (Enter)</source>
        <translation>Done (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="148" />
        <source>Sent to the printer.</source>
        <translation>Sent to the printer.</translation>
    </message>
</context>
<context>
    <name>NumericKeypad</name>
    <message>
        <location filename="../../ui/keypad.py" line="24" />
        <source>Clear</source>
        <translation>Clear</translation>
    </message>
    <message>
        <location filename="../../ui/keypad.py" line="25" />
        <source>Enter</source>
        <translation>Enter</translation>
    </message>
</context>
<context>
    <name>PreviewModel</name>
    <message>
        <location filename="../../ui/legacy_import.py" line="74" />
        <source>Row</source>
        <translation>Row</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="74" />
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="74" />
        <source>Name kana</source>
        <translation>Name kana</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="74" />
        <source>Phone number</source>
        <translation>Phone number</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="74" />
        <source>E-mail</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="75" />
        <source>Birthday</source>
        <translation>Birthday</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="75" />
        <source>Card number</source>
        <translation>Card number</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="75" />
        <source>Points</source>
        <translation>Points</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="75" />
        <source>Last visit</source>
        <translation>Last visit</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="76" />
        <source>Problems</source>
        <translation>Problems</translation>
    </message>
</context>
<context>
    <name>RedeemDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="172" />
        <source>Redeem points</source>
        <translation>Redeem points</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="177" />
        <source>Balance: %1</source>
        <translation>Balance: %1</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="179" />
        <source>Bill: %1</source>
        <translation>Bill: %1</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="183" />
        <source>Points to use</source>
        <translation>Points to use</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="199" />
        <source>Enter the points to use.</source>
        <translation>Enter the points to use.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="206" />
        <source>Discount: %1</source>
        <translation>Discount: %1</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../ui/settings.py" line="38" />
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="54" />
        <location filename="../../ui/settings.py" line="58" />
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="63" />
        <source>Store id</source>
        <translation>Store id</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="64" />
        <source>Terminal</source>
        <translation>Terminal</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="65" />
        <source>Void window</source>
        <translation>Void window</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="66" />
        <source>Idle sign-out after</source>
        <translation>Idle sign-out after</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="67" />
        <source>Language</source>
        <translation>Language</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="68" />
        <source>Store</source>
        <translation>Store</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="82" />
        <source>e.g. /dev/ttyACM0 or COM3 (empty: none)</source>
        <translation>e.g. /dev/ttyACM0 or COM3 (empty: none)</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="83" />
        <source>Sound on a good and a refused scan</source>
        <translation>Sound on a good and a refused scan</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="85" />
        <source>Max. time between scanner keys</source>
        <translation>Max. time between scanner keys</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="86" />
        <source>Shortest scan</source>
        <translation>Shortest scan</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="87" />
        <source>Scanner prefix</source>
        <translation>Scanner prefix</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="88" />
        <source>Scanner suffix</source>
        <translation>Scanner suffix</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="89" />
        <source>Serial scanner port</source>
        <translation>Serial scanner port</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="91" />
        <source>Scanner</source>
        <translation>Scanner</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="96" />
        <source>0 = first webcam; or a video file / image folder; empty = off</source>
        <translation>0 = first webcam; or a video file / image folder; empty = off</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="98" />
        <source>e.g. network:192.168.1.50 or file:/tmp/slip.bin</source>
        <translation>e.g. network:192.168.1.50 or file:/tmp/slip.bin</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="99" />
        <source>Camera</source>
        <translation>Camera</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="100" />
        <source>Printer</source>
        <translation>Printer</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="101" />
        <source>Camera and printer</source>
        <translation>Camera and printer</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="107" />
        <source>Back (Esc)</source>
        <translation>Back (Esc)</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="109" />
        <source>Save</source>
        <translation>Save</translation>
    </message>
</context>
<context>
    <name>SignInScreen</name>
    <message>
        <location filename="../../ui/signin.py" line="26" />
        <source>Staff sign-in</source>
        <translation>Staff sign-in</translation>
    </message>
    <message>
        <location filename="../../ui/signin.py" line="30" />
        <source>Store %1 / terminal %2</source>
        <translation>Store %1 / terminal %2</translation>
    </message>
    <message>
        <location filename="../../ui/signin.py" line="43" />
        <source>Staff number</source>
        <translation>Staff number</translation>
    </message>
    <message>
        <location filename="../../ui/signin.py" line="44" />
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location filename="../../ui/signin.py" line="53" />
        <source>Sign in</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <location filename="../../ui/signin.py" line="80" />
        <source>Enter your staff number and PIN.</source>
        <translation>Enter your staff number and PIN.</translation>
    </message>
    <message>
        <location filename="../../ui/signin.py" line="84" />
        <source>Checking…</source>
        <translation>Checking…</translation>
    </message>
</context>
<context>
    <name>SuggestionModel</name>
    <message>
        <location filename="../../ui/migrate.py" line="86" />
        <source>Member number</source>
        <translation>Member number</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="86" />
        <source>Name kana</source>
        <translation>Name kana</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="86" />
        <source>Phone number</source>
        <translation>Phone number</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="86" />
        <source>Match</source>
        <translation>Match</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="96" />
        <source>same phone</source>
        <translation>same phone</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="96" />
        <source>same kana and birthday</source>
        <translation>same kana and birthday</translation>
    </message>
</context>
<context>
    <name>Texts</name>
    <message>
        <location filename="../../ui/texts.py" line="27" />
        <source>Wrong staff number or PIN.</source>
        <translation>Wrong staff number or PIN.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="28" />
        <source>Too many wrong PINs: this staff number is locked for a while. Ask a manager.</source>
        <translation>Too many wrong PINs: this staff number is locked for a while. Ask a manager.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="29" />
        <source>There is no staff member with this number.</source>
        <translation>There is no staff member with this number.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="30" />
        <source>Only a store manager may do this.</source>
        <translation>Only a store manager may do this.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="31" />
        <source>A PIN is 4 to 8 digits.</source>
        <translation>A PIN is 4 to 8 digits.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="32" />
        <source>Please enter a name.</source>
        <translation>Please enter a name.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="33" />
        <source>The first staff member must be a manager.</source>
        <translation>The first staff member must be a manager.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="34" />
        <source>A store id is letters and digits, e.g. S001.</source>
        <translation>A store id is letters and digits, e.g. S001.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="35" />
        <source>This database already belongs to another store.</source>
        <translation>This database already belongs to another store.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="36" />
        <source>This store is not set up yet.</source>
        <translation>This store is not set up yet.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="37" />
        <source>This computer has no OS keyring, so keys cannot be kept safely.</source>
        <translation>This computer has no OS keyring, so keys cannot be kept safely.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="38" />
        <source>The key file can be read by other users; restrict it (chmod 600).</source>
        <translation>The key file can be read by other users; restrict it (chmod 600).</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="40" />
        <source>Nothing was read.</source>
        <translation>Nothing was read.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="41" />
        <source>This is not a member card.</source>
        <translation>This is not a member card.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="42" />
        <source>The member code was read only in part. Please scan again.</source>
        <translation>The member code was read only in part. Please scan again.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="43" />
        <location filename="../../ui/texts.py" line="44" />
        <source>This member code is not genuine (damaged or altered).</source>
        <translation>This member code is not genuine (damaged or altered).</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="45" />
        <source>This member code was issued by a store this terminal does not know yet.</source>
        <translation>This member code was issued by a store this terminal does not know yet.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="46" />
        <source>This member card was replaced by a newer one; ask for the new card.</source>
        <translation>This member card was replaced by a newer one; ask for the new card.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="47" />
        <source>No member has this number or card.</source>
        <translation>No member has this number or card.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="48" />
        <source>No such member.</source>
        <translation>No such member.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="49" />
        <source>This member's data was deleted at their request.</source>
        <translation>This member's data was deleted at their request.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="50" />
        <source>This member has no active member card.</source>
        <translation>This member has no active member card.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="51" />
        <source>The signing key for this card is not on this computer.</source>
        <translation>The signing key for this card is not on this computer.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="52" />
        <source>Name kana must be written in kana.</source>
        <translation>Name kana must be written in kana.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="53" />
        <source>That phone number does not look right (10 or 11 digits, starting with 0).</source>
        <translation>That phone number does not look right (10 or 11 digits, starting with 0).</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="54" />
        <source>That e-mail address does not look right.</source>
        <translation>That e-mail address does not look right.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="55" />
        <source>That birthday is not a real date.</source>
        <translation>That birthday is not a real date.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="57" />
        <source>Please enter a whole number.</source>
        <translation>Please enter a whole number.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="58" />
        <source>That number is out of range.</source>
        <translation>That number is out of range.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="59" />
        <source>Not enough points.</source>
        <translation>Not enough points.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="60" />
        <source>That is below the minimum number of points that can be used.</source>
        <translation>That is below the minimum number of points that can be used.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="61" />
        <source>Points can only be used in the allowed units.</source>
        <translation>Points can only be used in the allowed units.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="62" />
        <source>That is more points than this bill allows.</source>
        <translation>That is more points than this bill allows.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="63" />
        <source>This action was already done with different details.</source>
        <translation>This action was already done with different details.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="64" />
        <source>The time allowed to void has passed; ask a manager.</source>
        <translation>The time allowed to void has passed; ask a manager.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="65" />
        <source>This was already voided.</source>
        <translation>This was already voided.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="66" />
        <source>A void cannot itself be voided.</source>
        <translation>A void cannot itself be voided.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="67" />
        <source>This entry cannot be voided.</source>
        <translation>This entry cannot be voided.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="68" />
        <source>Only the store that made an entry can void it.</source>
        <translation>Only the store that made an entry can void it.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="69" />
        <source>Points from this entry were already used; void the redemption first.</source>
        <translation>Points from this entry were already used; void the redemption first.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="70" />
        <source>There is nothing to void.</source>
        <translation>There is nothing to void.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="71" />
        <source>This coupon was already used.</source>
        <translation>This coupon was already used.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="72" />
        <source>This coupon has expired.</source>
        <translation>This coupon has expired.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="73" />
        <source>No such coupon.</source>
        <translation>No such coupon.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="74" />
        <source>No such entry.</source>
        <translation>No such entry.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="80" />
        <source>The database is busy. Press Enter to try again.</source>
        <translation>The database is busy. Press Enter to try again.</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="83" />
        <source>Something went wrong: %1</source>
        <translation>Something went wrong: %1</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="89" />
        <source>The printer did not respond: %1</source>
        <translation>The printer did not respond: %1</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="93" />
        <source>Points earned</source>
        <translation>Points earned</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="94" />
        <source>Points used</source>
        <translation>Points used</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="95" />
        <source>Void</source>
        <translation>Void</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="96" />
        <source>Adjustment</source>
        <translation>Adjustment</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="97" />
        <source>Coupon used</source>
        <translation>Coupon used</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="98" />
        <source>Expired</source>
        <translation>Expired</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="99" />
        <source>Paper card migrated</source>
        <translation>Paper card migrated</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="109" />
        <source>Base points: %1</source>
        <translation>Base points: %1</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="111" />
        <source>Campaign %1 %2: %3</source>
        <translation>Campaign %1 %2: %3</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="114" />
        <source>Tier %1 %2: %3</source>
        <translation>Tier %1 %2: %3</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="117" />
        <source>Fractions rounded down</source>
        <translation>Fractions rounded down</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="119" />
        <source>Bonus %1: %2</source>
        <translation>Bonus %1: %2</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="121" />
        <source>Coupon %1: %2</source>
        <translation>Coupon %1: %2</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="123" />
        <source>Points used: %1</source>
        <translation>Points used: %1</translation>
    </message>
</context>
<context>
    <name>VoidDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="245" />
        <source>Void the last action</source>
        <translation>Void the last action</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="247" />
        <source>Looking for the last action…</source>
        <translation>Looking for the last action…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="266" />
        <source>There is nothing to void.</source>
        <translation>There is nothing to void.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="269" />
        <source>%1 of %2 for member %3 at %4</source>
        <translation>%1 of %2 for member %3 at %4</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="274" />
        <source>Press Enter to void it.</source>
        <translation>Press Enter to void it.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="287" />
        <source>Voided. New balance: %1</source>
        <translation>Voided. New balance: %1</translation>
    </message>
</context>
<context>
    <name>obj</name>
    <message>
        <location filename="../../ui/legacy_import.py" line="107" />
        <source>Merge (名寄せ)</source>
        <translation>Merge (名寄せ)</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="107" />
        <source>Keep separate</source>
        <translation>Keep separate</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="107" />
        <source>Skip</source>
        <translation>Skip</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="113" />
        <source>No name kana, and the name is not in kana.</source>
        <translation>No name kana, and the name is not in kana.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="114" />
        <source>Name kana must be written in kana.</source>
        <translation>Name kana must be written in kana.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="115" />
        <source>The phone number does not look right.</source>
        <translation>The phone number does not look right.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="116" />
        <source>The e-mail address does not look right.</source>
        <translation>The e-mail address does not look right.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="117" />
        <source>Not a real date.</source>
        <translation>Not a real date.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="118" />
        <source>The date is in the future.</source>
        <translation>The date is in the future.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="119" />
        <source>Points must be a whole number.</source>
        <translation>Points must be a whole number.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="120" />
        <source>Points cannot be negative.</source>
        <translation>Points cannot be negative.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="121" />
        <source>Too many points for one member.</source>
        <translation>Too many points for one member.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="122" />
        <source>Stamps must be a whole number.</source>
        <translation>Stamps must be a whole number.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="123" />
        <source>The card number does not look right.</source>
        <translation>The card number does not look right.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="124" />
        <source>The card number's check digit is wrong.</source>
        <translation>The card number's check digit is wrong.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="125" />
        <source>This card was cancelled.</source>
        <translation>This card was cancelled.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="126" />
        <source>The same row appears earlier in the file.</source>
        <translation>The same row appears earlier in the file.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="127" />
        <source>Duplicate, skipped.</source>
        <translation>Duplicate, skipped.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="130" />
        <source>Card already migrated (移行済み) on %1 at store %2 to member %3.</source>
        <translation>Card already migrated (移行済み) on %1 at store %2 to member %3.</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="134" />
        <source>The same card number is on row %1.</source>
        <translation>The same card number is on row %1.</translation>
    </message>
</context>
</TS>