<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="ja_JP" sourcelanguage="en_US">
<context>
    <name />
    <message>
        <location filename="../../ui/printing.py" line="323" />
        <source>Print member card</source>
        <translation>会員証の印刷</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="331" />
        <source>Print receipt</source>
        <translation>レシートの印刷</translation>
    </message>
</context>
<context>
    <name>ActionDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="91" />
        <source>Confirm (Enter)</source>
        <translation>確定 (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="104" />
        <source>Working…</source>
        <translation>処理中…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="114" />
        <source>Close (Enter)</source>
        <translation>閉じる (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="128" />
        <source>%1: %2. New balance: %3</source>
        <translation>%1：%2
ポイント残高：%3</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="131" />
        <source>Not yet confirmed by HQ (未反映): %1</source>
        <translation>未反映：%1</translation>
    </message>
</context>
<context>
    <name>AdjustDialog</name>
    <message>
        <location filename="../../ui/manager/customers.py" line="536" />
        <source>Adjust points</source>
        <translation>ポイント調整（理由）</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="542" />
        <source>Apology for a complaint</source>
        <translation>苦情へのお詫び</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="542" />
        <source>Correction of a wrong entry</source>
        <translation>誤った取引の訂正</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="543" />
        <source>Points not awarded at the register</source>
        <translation>レジでの付与漏れ</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="543" />
        <source>Goodwill gesture</source>
        <translation>サービス（ご厚意）</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="546" />
        <source>Note (optional)</source>
        <translation>メモ（任意）</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="551" />
        <source>Points (+ to add, − to take away)</source>
        <translation>ポイント（＋で加算、−で減算）</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="552" />
        <source>Reason (required)</source>
        <translation>理由（必須）</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="553" />
        <source>Note</source>
        <translation>メモ</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="562" />
        <source>Please enter a reason.</source>
        <translation>理由を入力してください。</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="565" />
        <source>Enter a number of points other than 0.</source>
        <translation>0 以外のポイント数を入力してください。</translation>
    </message>
</context>
<context>
    <name>AuditLogWindow</name>
    <message>
        <location filename="../../ui/manager/audit.py" line="28" />
        <source>Staff number</source>
        <translation>担当者番号</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="32" />
        <source>All actions</source>
        <translation>すべての操作</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="33" />
        <source>Points (all)</source>
        <translation>ポイント（すべて）</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="33" />
        <source>Point adjustments</source>
        <translation>ポイント調整</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="34" />
        <source>Voids</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="34" />
        <source>Members</source>
        <translation>会員</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="35" />
        <source>Customer list exports</source>
        <translation>顧客一覧の出力</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="35" />
        <source>Needs review</source>
        <translation>要確認</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="36" />
        <source>Reports</source>
        <translation>レポート</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="36" />
        <source>Staff</source>
        <translation>担当者</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="36" />
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="39" />
        <source>Between</source>
        <translation>期間</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="46" />
        <source>Search</source>
        <translation>検索</translation>
    </message>
    <message>
        <location filename="../../ui/manager/audit.py" line="77" />
        <source>%1 entries</source>
        <translation>%1件</translation>
    </message>
</context>
<context>
    <name>AuditModel</name>
    <message>
        <location filename="../../ui/manager/models.py" line="446" />
        <source>Date and time</source>
        <translation>日時</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="447" />
        <source>Staff</source>
        <translation>担当者</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="448" />
        <source>Terminal</source>
        <translation>端末</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="449" />
        <source>Action</source>
        <translation>内容</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="450" />
        <source>Object</source>
        <translation>対象</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="451" />
        <source>Details</source>
        <translation>詳細</translation>
    </message>
</context>
<context>
    <name>CardsModel</name>
    <message>
        <location filename="../../ui/manager/models.py" line="368" />
        <source>Card</source>
        <translation>カード</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="369" />
        <source>Number</source>
        <translation>番号</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="370" />
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="371" />
        <source>Issued</source>
        <translation>発行日</translation>
    </message>
</context>
<context>
    <name>ConflictsModel</name>
    <message>
        <location filename="../../ui/manager/models.py" line="394" />
        <source>Date and time</source>
        <translation>日時</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="395" />
        <source>What happened</source>
        <translation>内容</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="396" />
        <source>Member number</source>
        <translation>会員番号</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="397" />
        <source>Details</source>
        <translation>詳細</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="398" />
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="408" />
        <source>HQ booked %1 pt</source>
        <translation>本部で %1 pt 計上</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="413" />
        <source>store %1</source>
        <translation>店舗 %1</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="417" />
        <source>card %1</source>
        <translation>カード %1</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="424" />
        <source>HQ did not know the member yet</source>
        <translation>本部がまだ会員を把握していなかった</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="425" />
        <source>the member's data was deleted at their request</source>
        <translation>本人の依頼で会員情報を削除済み</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="426" />
        <source>sent for another store's terminal</source>
        <translation>他店の端末の取引として送信された</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="427" />
        <source>HQ had refused the entry it voids</source>
        <translation>取消対象の取引を本部が受け付けていなかった</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="428" />
        <source>HQ had refused it before a restore</source>
        <translation>復元前に本部が受け付けなかった</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="429" />
        <source>HQ does not know this kind of event</source>
        <translation>本部が認識できない種類の取引</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="430" />
        <source>HQ could not read it: a value was missing or not of the right kind</source>
        <translation>本部で読み取れない取引（項目の欠落または形式の誤り）</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="435" />
        <source>Not dealt with yet</source>
        <translation>未対応</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="437" />
        <source>Acknowledged</source>
        <translation>確認済み</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="437" />
        <source>Customer contacted</source>
        <translation>お客様に連絡済み</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="438" />
        <source>Points adjusted</source>
        <translation>ポイント調整済み</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="439" />
        <source>Withdrawn by HQ</source>
        <translation>本部が取り消し</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="439" />
        <source>Dealt with</source>
        <translation>対応済み</translation>
    </message>
</context>
<context>
    <name>ConflictsWidget</name>
    <message>
        <location filename="../../ui/manager/conflicts.py" line="39" />
        <source>Show items already dealt with</source>
        <translation>対応済みも表示</translation>
    </message>
    <message>
        <location filename="../../ui/manager/conflicts.py" line="42" />
        <source>Acknowledge</source>
        <translation>確認済みにする</translation>
    </message>
    <message>
        <location filename="../../ui/manager/conflicts.py" line="43" />
        <source>Adjust points…</source>
        <translation>ポイント調整…</translation>
    </message>
    <message>
        <location filename="../../ui/manager/conflicts.py" line="44" />
        <source>Customer contacted</source>
        <translation>お客様に連絡済み</translation>
    </message>
    <message>
        <location filename="../../ui/manager/conflicts.py" line="94" />
        <source>Done.</source>
        <translation>完了しました。</translation>
    </message>
</context>
<context>
    <name>CounterDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="62" />
        <source>Back (Esc)</source>
        <translation>戻る (Esc)</translation>
    </message>
</context>
<context>
    <name>CounterScreen</name>
    <message>
        <location filename="../../ui/counter.py" line="185" />
        <source>Purchase amount (tax incl.)</source>
        <translation>お買上金額（税込）</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="204" />
        <source>Earn points</source>
        <translation>ポイント付与</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="205" />
        <source>Redeem points</source>
        <translation>ポイント利用</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="206" />
        <source>Use coupon</source>
        <translation>クーポン利用</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="207" />
        <source>Void last</source>
        <translation>直前の取消</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="208" />
        <source>New member</source>
        <translation>新規会員登録</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="209" />
        <source>Migrate paper card</source>
        <translation>紙カード移行</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="210" />
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="211" />
        <source>Sign out</source>
        <translation>サインアウト</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="212" />
        <source>Manager menu</source>
        <translation>店長メニュー</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="213" />
        <source>Import legacy ledger</source>
        <translation>旧台帳の取込</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="376" />
        <source>Choose a member from the list, or press Esc to close the search.</source>
        <translation>一覧から会員を選ぶか、Esc で検索を閉じてください。</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="380" />
        <source>Scan the member card first.</source>
        <translation>先に会員証を読み取ってください。</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="389" />
        <source>Enter the purchase amount first.</source>
        <translation>先にお買上金額を入力してください。</translation>
    </message>
</context>
<context>
    <name>CouponDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="305" />
        <source>Use a coupon</source>
        <translation>クーポン利用</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="321" />
        <source>This member has no coupons to use.</source>
        <translation>この会員が使えるクーポンはありません。</translation>
    </message>
</context>
<context>
    <name>CouponTableModel</name>
    <message>
        <location filename="../../ui/models.py" line="84" />
        <source>Coupon</source>
        <translation>クーポン</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="85" />
        <source>Value</source>
        <translation>内容</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="86" />
        <source>Valid until</source>
        <translation>有効期限</translation>
    </message>
</context>
<context>
    <name>CouponsModel</name>
    <message>
        <location filename="../../ui/manager/models.py" line="379" />
        <source>Coupon</source>
        <translation>クーポン</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="380" />
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="381" />
        <source>Expiry</source>
        <translation>有効期限</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="382" />
        <source>Used</source>
        <translation>利用日</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <location filename="../../ui/crash.py" line="38" />
        <source>Tsumugi: an error occurred</source>
        <translation>紡ぎ：エラーが発生しました</translation>
    </message>
    <message>
        <location filename="../../ui/crash.py" line="42" />
        <source>Something went wrong, but the counter keeps running. If it happens again, copy this report and send it to support.</source>
        <translation>問題が発生しましたが、カウンターはそのまま使えます。再び起きた場合は、このレポートをコピーしてサポートに送ってください。</translation>
    </message>
    <message>
        <location filename="../../ui/crash.py" line="54" />
        <source>Copy report</source>
        <translation>レポートをコピー</translation>
    </message>
    <message>
        <location filename="../../ui/crash.py" line="58" />
        <source>Close</source>
        <translation>閉じる</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/crash.py" line="71" />
        <source>Tsumugi: %n error(s) occurred</source>
        <translation><numerusform>紡ぎ：エラーが %n 件発生しました</numerusform></translation>
    </message>
    <message>
        <location filename="../../ui/crash.py" line="75" />
        <source>Copied. Paste it into an e-mail or chat to support.</source>
        <translation>コピーしました。メールやチャットに貼り付けてサポートに送ってください。</translation>
    </message>
</context>
<context>
    <name>CustomerTableModel</name>
    <message>
        <location filename="../../ui/manager/models.py" line="115" />
        <source>Member number</source>
        <translation>会員番号</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="116" />
        <source>Name kana</source>
        <translation>フリガナ</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="117" />
        <source>Name</source>
        <translation>氏名</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="118" />
        <source>Phone number</source>
        <translation>電話番号</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="119" />
        <source>Tier</source>
        <translation>会員ランク</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="120" />
        <source>Balance</source>
        <translation>ポイント残高</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="121" />
        <source>Lifetime spend</source>
        <translation>累計お買上金額</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="122" />
        <source>Last visit</source>
        <translation>最終来店日</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="123" />
        <source>Segments</source>
        <translation>セグメント</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="124" />
        <source>Home store</source>
        <translation>登録店舗</translation>
    </message>
</context>
<context>
    <name>CustomersWindow</name>
    <message>
        <location filename="../../ui/manager/customers.py" line="93" />
        <source>Search: name kana, phone number, member number or card number</source>
        <translation>検索：フリガナ・電話番号・会員番号・カード番号</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="96" />
        <source>All tiers</source>
        <translation>すべての会員ランク</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="99" />
        <source>No rank</source>
        <translation>ランクなし</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="101" />
        <source>All segments</source>
        <translation>すべてのセグメント</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="106" />
        <source>Marketing consent: any</source>
        <translation>お知らせ配信の同意：すべて</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="107" />
        <source>Consented</source>
        <translation>同意あり</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="108" />
        <source>Not consented</source>
        <translation>同意なし</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="110" />
        <source>All home stores</source>
        <translation>すべての登録店舗</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="111" />
        <source>Last visit</source>
        <translation>最終来店日</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="120" />
        <source>Export CSV…</source>
        <translation>CSV出力…</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="121" />
        <source>Refresh segments</source>
        <translation>セグメントを更新</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="224" />
        <source>Searching…</source>
        <translation>検索中…</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="245" />
        <source>%1 members</source>
        <translation>%1人</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="247" />
        <source>More than %1 members</source>
        <translation>%1人以上</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="263" />
        <source>Refreshing segments…</source>
        <translation>セグメントを更新中…</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="280" />
        <location filename="../../ui/manager/customers.py" line="286" />
        <source>Export CSV</source>
        <translation>CSV出力</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="285" />
        <source>Exported %1 members</source>
        <translation>%1人を出力しました</translation>
    </message>
</context>
<context>
    <name>EarnDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="148" />
        <source>Earn points</source>
        <translation>ポイント付与</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="152" />
        <source>Purchase amount (tax incl.): %1</source>
        <translation>お買上金額（税込）：%1</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="159" />
        <source>Product categories in this purchase (touch to choose):</source>
        <translation>お買上の商品カテゴリ（タッチで選択）：</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="191" />
        <source>Calculating points…</source>
        <translation>ポイントを計算中…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="203" />
        <source>Points to add: %1</source>
        <translation>付与ポイント：%1</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="205" />
        <source>Press Enter to confirm.</source>
        <translation>Enter で確定します。</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <location filename="../../ui/manager/customers.py" line="294" />
        <source>Export CSV</source>
        <translation>CSV出力</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="296" />
        <source>Member number</source>
        <translation>会員番号</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="296" />
        <source>Name</source>
        <translation>氏名</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="296" />
        <source>Name kana</source>
        <translation>フリガナ</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="297" />
        <source>Phone number</source>
        <translation>電話番号</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="297" />
        <source>E-mail</source>
        <translation>メールアドレス</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="297" />
        <source>Birthday</source>
        <translation>生年月日</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="298" />
        <source>Tier</source>
        <translation>会員ランク</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="298" />
        <source>Balance</source>
        <translation>ポイント残高</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="298" />
        <source>Lifetime spend</source>
        <translation>累計お買上金額</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="299" />
        <source>Last visit</source>
        <translation>最終来店日</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="299" />
        <source>Home store</source>
        <translation>登録店舗</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="300" />
        <source>Marketing consent</source>
        <translation>お知らせ配信の同意</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="300" />
        <source>Registered</source>
        <translation>登録日</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="301" />
        <source>Segments</source>
        <translation>セグメント</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="301" />
        <source>RFM</source>
        <translation>RFM</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="301" />
        <source>Churn score</source>
        <translation>離反スコア</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="303" />
        <source>Personal data (name, kana, phone, e-mail, birthday) is exported only when you tick it. The export is recorded in the audit log.</source>
        <translation>個人情報（氏名・フリガナ・電話番号・メールアドレス・生年月日）はチェックした場合のみ出力します。出力は操作ログに記録されます。</translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <location filename="../../ui/wizard.py" line="58" />
        <source>Tsumugi first-run setup</source>
        <translation>紡ぎ 初期設定</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="61" />
        <source>Next</source>
        <translation>次へ</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="62" />
        <source>Back</source>
        <translation>戻る</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="63" />
        <source>Finish</source>
        <translation>完了</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="64" />
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="68" />
        <source>Welcome to Tsumugi</source>
        <translation>紡ぎへようこそ</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="70" />
        <source>This sets up this computer as a loyalty counter. It takes a minute.</source>
        <translation>このパソコンをポイントカウンターとして設定します。1分ほどで終わります。</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="76" />
        <source>Language</source>
        <translation>言語</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="78" />
        <source>Set up a real store</source>
        <translation>実際の店舗を設定する</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="79" />
        <source>Try a demo store (sample members, history and a coupon)</source>
        <translation>デモ店舗で試す（見本の会員・履歴・クーポン）</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="90" />
        <source>Store and terminal</source>
        <translation>店舗と端末</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="94" />
        <source>Store id</source>
        <translation>店舗コード</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="95" />
        <source>Terminal</source>
        <translation>端末</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="96" />
        <source>Connecting to HQ can be done later, in the settings. The counter works offline.</source>
        <translation>本部への接続は後から設定できます。オフラインでもカウンター業務はできます。</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="105" />
        <source>First store manager</source>
        <translation>最初の店長</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="114" />
        <source>Name</source>
        <translation>氏名</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="115" />
        <source>PIN (4 to 8 digits)</source>
        <translation>暗証番号（4〜8桁）</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="116" />
        <source>PIN again</source>
        <translation>暗証番号（確認）</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="117" />
        <source>The manager signs in with staff number 1.</source>
        <translation>店長は担当者番号 1 でサインインします。</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="124" />
        <source>Keeping the store's keys</source>
        <translation>店舗の鍵の保管</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="128" />
        <source>This computer has no OS keyring, so, as you chose, the store's keys are kept in a key file readable only by this user (weaker):</source>
        <translation>このパソコンにはOSキーリングがないため、ご指定のとおり、店舗の鍵はこのユーザーだけが読める鍵ファイルに保管されます（安全性が低い方法です）：</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="136" />
        <source>The store's signing key will be kept in this computer's OS keyring.</source>
        <translation>店舗の署名鍵はこのパソコンのOSキーリングに保管されます。</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="134" />
        <source>The status bar will show that the weaker key file is in use.</source>
        <translation>安全性の低い鍵ファイルを使用中であることは、ステータスバーに常に表示されます。</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="144" />
        <source>A store id is letters and digits, e.g. S001.</source>
        <translation>店舗コードは英数字です（例：S001）。</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="150" />
        <source>Please enter a name.</source>
        <translation>氏名を入力してください。</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="154" />
        <source>A PIN is 4 to 8 digits.</source>
        <translation>暗証番号は4〜8桁の数字です。</translation>
    </message>
    <message>
        <location filename="../../ui/wizard.py" line="157" />
        <source>The two PINs differ.</source>
        <translation>2つの暗証番号が一致しません。</translation>
    </message>
</context>
<context>
    <name>GroupModel</name>
    <message>
        <location filename="../../ui/legacy_import.py" line="67" />
        <source>Group</source>
        <translation>グループ</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="68" />
        <source>Rows</source>
        <translation>行</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="69" />
        <source>Existing members</source>
        <translation>既存の会員</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="70" />
        <source>Same</source>
        <translation>一致した項目</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="71" />
        <source>Decision</source>
        <translation>対応</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="65" />
        <source>phone</source>
        <translation>電話番号</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="65" />
        <source>e-mail</source>
        <translation>メールアドレス</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="65" />
        <source>kana + birthday</source>
        <translation>フリガナ＋生年月日</translation>
    </message>
</context>
<context>
    <name>HistoryModel</name>
    <message>
        <location filename="../../ui/manager/models.py" line="339" />
        <source>Date and time</source>
        <translation>日時</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="340" />
        <source>Kind</source>
        <translation>種別</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="341" />
        <source>Points</source>
        <translation>ポイント</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="342" />
        <source>Amount</source>
        <translation>金額</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="343" />
        <source>Balance after</source>
        <translation>取引後残高</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="344" />
        <source>Breakdown</source>
        <translation>内訳</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="345" />
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="346" />
        <source>Staff</source>
        <translation>担当者</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="347" />
        <source>Store</source>
        <translation>店舗</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="348" />
        <source>Sync</source>
        <translation>同期</translation>
    </message>
</context>
<context>
    <name>HistoryTableModel</name>
    <message>
        <location filename="../../ui/models.py" line="99" />
        <source>Date</source>
        <translation>日時</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="100" />
        <source>Action</source>
        <translation>内容</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="101" />
        <source>Points</source>
        <translation>ポイント</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="102" />
        <source>Amount</source>
        <translation>金額</translation>
    </message>
</context>
<context>
    <name>IssueModel</name>
    <message>
        <location filename="../../ui/legacy_import.py" line="53" />
        <source>Row</source>
        <translation>行</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="54" />
        <source>Column</source>
        <translation>項目</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="55" />
        <source>Value</source>
        <translation>内容</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="56" />
        <source>Reason</source>
        <translation>理由</translation>
    </message>
</context>
<context>
    <name>LegacyImport</name>
    <message>
        <location filename="../../ui/legacy_import.py" line="76" />
        <source>Merge (名寄せ)</source>
        <translation>名寄せする</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="76" />
        <source>Keep separate</source>
        <translation>別の会員にする</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="76" />
        <source>Skip</source>
        <translation>取り込まない</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="82" />
        <source>No name kana, and the name is not in kana.</source>
        <translation>フリガナがなく、氏名もカナではありません。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="83" />
        <source>Name kana must be written in kana.</source>
        <translation>フリガナはカナで入力してください。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="84" />
        <source>The phone number does not look right.</source>
        <translation>電話番号が正しくないようです。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="85" />
        <source>The e-mail address does not look right.</source>
        <translation>メールアドレスが正しくないようです。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="86" />
        <source>Not a real date.</source>
        <translation>存在しない日付です。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="87" />
        <source>The date is in the future.</source>
        <translation>未来の日付です。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="88" />
        <source>Points must be a whole number.</source>
        <translation>ポイントは整数で入力してください。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="89" />
        <source>Points cannot be negative.</source>
        <translation>ポイントをマイナスにはできません。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="90" />
        <source>Too many points for one member.</source>
        <translation>1人の会員としてはポイントが多すぎます。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="91" />
        <source>Stamps must be a whole number.</source>
        <translation>スタンプ数は整数で入力してください。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="92" />
        <source>The card number does not look right.</source>
        <translation>カード番号が正しくないようです。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="93" />
        <source>The card number's check digit is wrong.</source>
        <translation>カード番号のチェックデジットが正しくありません。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="94" />
        <source>This card was cancelled.</source>
        <translation>このカードは無効化されています。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="95" />
        <source>The same row appears earlier in the file.</source>
        <translation>同じ行がファイルの前の方にあります。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="96" />
        <source>Duplicate, skipped.</source>
        <translation>重複のため取り込みません。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="99" />
        <source>Card already migrated (移行済み) on %1 at store %2 to member %3.</source>
        <translation>カードは移行済みです（%1、店舗 %2、会員番号 %3）。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="103" />
        <source>The same card number is on row %1.</source>
        <translation>同じカード番号が %1 行目にあります。</translation>
    </message>
</context>
<context>
    <name>LegacyImportWindow</name>
    <message>
        <location filename="../../ui/legacy_import.py" line="120" />
        <source>Legacy ledger import</source>
        <translation>旧台帳の取込</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="126" />
        <source>No file chosen.</source>
        <translation>ファイルが選ばれていません。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="130" />
        <source>Auto</source>
        <translation>自動</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="132" />
        <source>Encoding</source>
        <translation>文字コード</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="134" />
        <source>Choose file…</source>
        <translation>ファイルを選ぶ…</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="146" />
        <source>Name</source>
        <translation>氏名</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="146" />
        <source>Name kana</source>
        <translation>フリガナ</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="146" />
        <source>Phone number</source>
        <translation>電話番号</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="147" />
        <source>E-mail</source>
        <translation>メールアドレス</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="147" />
        <source>Birthday</source>
        <translation>生年月日</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="147" />
        <source>Card number</source>
        <translation>カード番号</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="148" />
        <source>Points</source>
        <translation>ポイント</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="148" />
        <source>Stamps</source>
        <translation>スタンプ</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="148" />
        <source>Last visit</source>
        <translation>最終来店日</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="149" />
        <source>Marketing consent</source>
        <translation>お知らせ配信の同意</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="157" />
        <source>Load mapping…</source>
        <translation>対応付けを読み込む…</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="159" />
        <source>Save mapping…</source>
        <translation>対応付けを保存…</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="168" />
        <location filename="../../ui/legacy_import.py" line="318" />
        <location filename="../../ui/legacy_import.py" line="338" />
        <source>Column mapping</source>
        <translation>項目の対応付け</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="172" />
        <source>Problems</source>
        <translation>問題</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="180" />
        <source>Default</source>
        <translation>既定</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="189" />
        <source>Selected group</source>
        <translation>選択したグループ</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="191" />
        <source>Apply</source>
        <translation>適用</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="195" />
        <source>Duplicates</source>
        <translation>重複</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="199" />
        <source>Skip bad rows</source>
        <translation>問題のある行は取り込まない</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="200" />
        <source>Stop if any row is bad</source>
        <translation>問題のある行があれば中止する</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="211" />
        <source>Dry run (no changes)</source>
        <translation>取込テスト（書き込みなし）</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="213" />
        <source>Import</source>
        <translation>取り込む</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="215" />
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="249" />
        <source>Cancelled: nothing was changed.</source>
        <translation>キャンセルしました。何も変更されていません。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="250" />
        <source>Some rows have problems, so nothing was imported.</source>
        <translation>問題のある行があるため、何も取り込みませんでした。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="251" />
        <source>The file cannot be read with this encoding; choose another.</source>
        <translation>この文字コードでは読めません。別の文字コードを選んでください。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="252" />
        <source>The encoding could not be detected; choose one.</source>
        <translation>文字コードを判別できませんでした。選んでください。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="253" />
        <source>A mapped column is not in this file.</source>
        <translation>対応付けた項目がこのファイルにありません。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="254" />
        <source>Map at least the name kana column.</source>
        <translation>少なくともフリガナの項目を対応付けてください。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="255" />
        <source>Old .xls files cannot be read: save as .xlsx or CSV.</source>
        <translation>古い .xls は読めません。.xlsx または CSV で保存してください。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="256" />
        <source>Choose an .xlsx or .csv file.</source>
        <translation>.xlsx または .csv ファイルを選んでください。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="257" />
        <source>This file cannot be read.</source>
        <translation>このファイルは読めません。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="258" />
        <source>This is not a column mapping file.</source>
        <translation>項目の対応付けファイルではありません。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="263" />
        <source>Legacy ledger</source>
        <translation>旧台帳</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="264" />
        <source>Ledgers (*.xlsx *.csv *.tsv *.txt)</source>
        <translation>台帳 (*.xlsx *.csv *.tsv *.txt)</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="275" />
        <source>Reading the file…</source>
        <translation>ファイルを読み込み中…</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="294" />
        <source>(not used)</source>
        <translation>（使わない）</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="306" />
        <source>%1 columns. Check the mapping, then run a dry run.</source>
        <translation>%1 項目。対応付けを確認してから取込テストをしてください。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="394" />
        <source>Dry run: nothing will be written…</source>
        <translation>取込テスト中（書き込みなし）…</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="416" />
        <source>Importing…</source>
        <translation>取り込み中…</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="430" />
        <source>Cancelling…</source>
        <translation>キャンセル中…</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="433" />
        <source>Dry run — nothing was written.</source>
        <translation>取込テスト：何も書き込んでいません。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="433" />
        <source>Imported.</source>
        <translation>取り込みました。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="434" />
        <source>Members created: %1, matched: %2; points migrated: %3; rows imported: %4, skipped: %5, already imported: %6.</source>
        <translation>新規会員：%1、既存会員に一致：%2、移行ポイント：%3、取込行：%4、取り込まない行：%5、取込済みの行：%6。</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="441" />
        <source>Some rows have problems: the import would stop.</source>
        <translation>問題のある行があるため、取り込みは中止されます。</translation>
    </message>
</context>
<context>
    <name>LotsModel</name>
    <message>
        <location filename="../../ui/manager/models.py" line="358" />
        <source>Expiry</source>
        <translation>有効期限</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="359" />
        <source>Remaining</source>
        <translation>残り</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="360" />
        <source>Earned</source>
        <translation>付与日</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="134" />
        <source>Welcome to Tsumugi</source>
        <translation>紡ぎへようこそ</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="138" />
        <source>This computer is not set up as a counter yet.</source>
        <translation>このパソコンはまだカウンターとして設定されていません。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="141" />
        <source>Start setup</source>
        <translation>初期設定を始める</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="175" />
        <source>Not connected</source>
        <translation>未接続</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="177" />
        <source>Online</source>
        <translation>オンライン</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="177" />
        <source>Offline</source>
        <translation>オフライン</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="178" />
        <source>%1 · unsent %2</source>
        <translation>%1・未送信 %2件</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="180" />
        <source>last sync %1</source>
        <translation>最終同期 %1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="186" />
        <source>Weaker key file in use (no OS keyring)</source>
        <translation>安全性の低い鍵ファイルを使用中（OSキーリングなし）</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="192" />
        <source>Staff: %1 (%2)</source>
        <translation>担当：%1（%2）</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="193" />
        <source>Signed out</source>
        <translation>サインアウト中</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="212" />
        <source>Needs review: %1</source>
        <translation>要確認 %1件</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="215" />
        <source>Open the manager menu (F9) to see what needs review.</source>
        <translation>店長メニュー（F9）で要確認の内容を確認してください。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="216" />
        <source>Please tell the store manager.</source>
        <translation>店長に知らせてください。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="264" />
        <source>Sync with HQ could not start: %1</source>
        <translation>本部との同期を開始できませんでした：%1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="328" />
        <location filename="../../ui/main_window.py" line="595" />
        <source>Camera off</source>
        <translation>カメラ オフ</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="334" />
        <source>Serial scanner %1 is not available</source>
        <translation>シリアルスキャナー %1 が使えません</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="344" />
        <source>Camera on</source>
        <translation>カメラ オン</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="356" />
        <source>Camera not available</source>
        <translation>カメラが使えません</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="357" />
        <source>No camera</source>
        <translation>カメラなし</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="358" />
        <source>The camera could not be used; scan with the USB scanner.</source>
        <translation>カメラが使えません。USBスキャナーで読み取ってください。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="378" />
        <source>Sign in first, then scan.</source>
        <translation>先にサインインしてから読み取ってください。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="392" />
        <source>The input method (IME) changed the scan. Switch the IME off (半角/全角 key) and scan again.</source>
        <translation>日本語入力（IME）がオンのため読み取れませんでした。半角/全角キーで IME をオフにして、もう一度読み取ってください。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="394" />
        <source>IME is on: switch it off and scan again.</source>
        <translation>IME がオンです。オフにして読み直してください。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="403" />
        <source>Part of a scan was lost; please scan again.</source>
        <translation>読み取りが途中で切れました。もう一度読み取ってください。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="419" />
        <source>Creating the store…</source>
        <translation>店舗を作成中…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="422" />
        <source>The store is ready. Sign in as staff number %1.</source>
        <translation>店舗の準備ができました。担当者番号 %1 でサインインしてください。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="470" />
        <source>Signed out after a quiet while.</source>
        <translation>一定時間操作がなかったため、サインアウトしました。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="515" />
        <source>Reports created: %1</source>
        <translation>レポートを作成しました：%1件</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="599" />
        <source>Settings saved.</source>
        <translation>設定を保存しました。</translation>
    </message>
</context>
<context>
    <name>Manager</name>
    <message>
        <location filename="../../ui/manager/__init__.py" line="26" />
        <source>Store manager</source>
        <translation>店長</translation>
    </message>
    <message>
        <location filename="../../ui/manager/__init__.py" line="27" />
        <source>Only a store manager can open these screens. Please sign in with a manager's staff number.</source>
        <translation>この画面は店長のみ開けます。店長の担当者番号でサインインしてください。</translation>
    </message>
    <message>
        <location filename="../../ui/manager/conflicts.py" line="17" />
        <source>Overdraft booked by HQ</source>
        <translation>本部で残高不足（マイナス）を計上</translation>
    </message>
    <message>
        <location filename="../../ui/manager/conflicts.py" line="18" />
        <location filename="../../ui/manager/conflicts.py" line="19" />
        <source>Paper card migrated at another store first</source>
        <translation>紙カードは他店で先に移行済み</translation>
    </message>
    <message>
        <location filename="../../ui/manager/conflicts.py" line="20" />
        <source>Coupon already used at another store</source>
        <translation>クーポンは他店で使用済み</translation>
    </message>
    <message>
        <location filename="../../ui/manager/conflicts.py" line="21" />
        <source>Rejected by HQ</source>
        <translation>本部が受け付けなかった取引</translation>
    </message>
    <message>
        <location filename="../../ui/manager/conflicts.py" line="22" />
        <source>Unknown member</source>
        <translation>不明な会員</translation>
    </message>
    <message>
        <location filename="../../ui/manager/conflicts.py" line="23" />
        <source>Member merged by HQ</source>
        <translation>本部で名寄せされた会員</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="27" />
        <source>Only a store manager can do this.</source>
        <translation>店長のみ操作できます。</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="28" />
        <source>Please enter a reason.</source>
        <translation>理由を入力してください。</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="29" />
        <source>Enter a number of points other than 0.</source>
        <translation>0 以外のポイント数を入力してください。</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="30" />
        <source>The member does not have enough points.</source>
        <translation>会員のポイントが足りません。</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="31" />
        <source>This item was already dealt with.</source>
        <translation>この項目は対応済みです。</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="53" />
        <source>VIP (top 10%)</source>
        <translation>優良顧客（上位10%）</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="53" />
        <source>Churn risk</source>
        <translation>離反リスク</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="53" />
        <source>Win-back</source>
        <translation>休眠掘り起こし</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="523" />
        <source>Earn</source>
        <translation>付与</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="523" />
        <source>Redeem</source>
        <translation>利用</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="523" />
        <source>Adjustment</source>
        <translation>ポイント調整</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="523" />
        <source>Void</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="524" />
        <source>Expired</source>
        <translation>失効</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="524" />
        <source>Paper card migration</source>
        <translation>紙カード移行</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="524" />
        <source>Coupon</source>
        <translation>クーポン</translation>
    </message>
</context>
<context>
    <name>ManagerWindow</name>
    <message>
        <location filename="../../ui/manager/window.py" line="52" />
        <source>Store manager</source>
        <translation>店長</translation>
    </message>
    <message>
        <location filename="../../ui/manager/window.py" line="63" />
        <source>Customer list</source>
        <translation>顧客一覧</translation>
    </message>
    <message>
        <location filename="../../ui/manager/window.py" line="64" />
        <location filename="../../ui/manager/window.py" line="75" />
        <source>Needs review</source>
        <translation>要確認</translation>
    </message>
    <message>
        <location filename="../../ui/manager/window.py" line="65" />
        <source>Reports</source>
        <translation>レポート</translation>
    </message>
    <message>
        <location filename="../../ui/manager/window.py" line="66" />
        <source>Audit log</source>
        <translation>操作ログ</translation>
    </message>
    <message>
        <location filename="../../ui/manager/window.py" line="67" />
        <source>Sync status</source>
        <translation>同期の状態</translation>
    </message>
    <message>
        <location filename="../../ui/manager/window.py" line="74" />
        <source>Needs review (%1)</source>
        <translation>要確認（%1）</translation>
    </message>
</context>
<context>
    <name>MemberPanel</name>
    <message>
        <location filename="../../ui/counter.py" line="38" />
        <source>Scan the member card</source>
        <translation>会員証を読み取ってください</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="71" />
        <source>Balance</source>
        <translation>ポイント残高</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="118" />
        <source>★ Promoted to %1</source>
        <translation>★ %1に昇格しました</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="119" />
        <source>★ Rank changed to %1</source>
        <translation>★ ランクが%1に変わりました</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="122" />
        <source>★ Now a VIP member</source>
        <translation>★ VIP会員になりました</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="123" />
        <source>★ New member tag: %1</source>
        <translation>★ 会員タグ「%1」が付きました</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="137" />
        <source>Member no. %1</source>
        <translation>会員番号 %1</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="141" />
        <source>HQ confirmed %1 / not yet confirmed (未反映) %2</source>
        <translation>本部確定 %1 ／ 未反映 %2</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="144" />
        <source>All confirmed by HQ</source>
        <translation>すべて本部に反映済み</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="145" />
        <source>Coupons available: %1</source>
        <translation>使えるクーポン：%1枚</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="148" />
        <source>● Birthday today</source>
        <translation>● 本日お誕生日</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="150" />
        <source>● Birthday this month</source>
        <translation>● 今月お誕生日</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="152" />
        <source>● %1 expiring within 30 days</source>
        <translation>● 30日以内に %1 が失効予定</translation>
    </message>
    <message>
        <location filename="../../ui/counter.py" line="155" />
        <source>● Coupon ready: %1 (until %2)</source>
        <translation>● クーポンあり：%1（%2まで）</translation>
    </message>
</context>
<context>
    <name>MemberSearchBox</name>
    <message>
        <location filename="../../ui/search.py" line="63" />
        <source>Search: kana, phone or member number (Ctrl+F)</source>
        <translation>会員検索：フリガナ・電話番号・会員番号（Ctrl+F）</translation>
    </message>
    <message>
        <location filename="../../ui/search.py" line="140" />
        <source>Searching…</source>
        <translation>検索中…</translation>
    </message>
    <message>
        <location filename="../../ui/search.py" line="158" />
        <source>No member found.</source>
        <translation>該当する会員がいません。</translation>
    </message>
</context>
<context>
    <name>MemberSearchModel</name>
    <message>
        <location filename="../../ui/models.py" line="125" />
        <source>Member no.</source>
        <translation>会員番号</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="126" />
        <source>Name kana</source>
        <translation>フリガナ</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="127" />
        <source>Name</source>
        <translation>氏名</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="128" />
        <source>Phone</source>
        <translation>電話番号</translation>
    </message>
</context>
<context>
    <name>MigratePaperCardDialog</name>
    <message>
        <location filename="../../ui/migrate.py" line="102" />
        <source>Migrate paper card</source>
        <translation>紙カード移行</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="102" />
        <location filename="../../ui/migrate.py" line="242" />
        <location filename="../../ui/migrate.py" line="243" />
        <location filename="../../ui/migrate.py" line="394" />
        <source>Next (Enter)</source>
        <translation>次へ（Enter）</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="125" />
        <source>Scan the paper card's barcode, or type its number.</source>
        <translation>紙のポイントカードのバーコードを読み取るか、番号を入力してください。</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="138" />
        <source>What does the card hold?</source>
        <translation>カードの内容を入力してください。</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="140" />
        <source>Stamps</source>
        <translation>スタンプ</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="141" />
        <source>Points</source>
        <translation>ポイント</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="164" />
        <source>Optional: take a photo of the card as evidence (kept on this PC).</source>
        <translation>任意：証跡としてカードを撮影します（このPCに保存）。</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="165" />
        <source>Take photo</source>
        <translation>撮影する</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="170" />
        <source>No camera is set up on this PC.</source>
        <translation>このPCにはカメラが設定されていません。</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="172" />
        <source>No photo.</source>
        <translation>写真なし</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="178" />
        <source>Whose card is it? Scan their member code, pick a suggestion, or register a new member.</source>
        <translation>どの会員のカードですか？会員コードを読み取るか、候補から選ぶか、新規会員登録をしてください。</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="180" />
        <source>Member code or member number</source>
        <translation>会員コードまたは会員番号</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="186" />
        <source>Phone number</source>
        <translation>電話番号</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="188" />
        <source>Name kana</source>
        <translation>フリガナ</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="190" />
        <source>Birthday (YYYY/MM/DD)</source>
        <translation>生年月日（YYYY/MM/DD）</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="193" />
        <source>Suggest</source>
        <translation>候補を探す</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="206" />
        <source>Marketing consent</source>
        <translation>お知らせ配信の同意</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="208" />
        <source>Register new member</source>
        <translation>新規会員登録</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="241" />
        <source>Confirm (Enter)</source>
        <translation>確定 (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="241" />
        <source>Close (Enter)</source>
        <translation>閉じる (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="242" />
        <source>Skip (Enter)</source>
        <translation>スキップ（Enter）</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="282" />
        <location filename="../../ui/migrate.py" line="490" />
        <source>Enter the stamps or points on the card.</source>
        <translation>カードのスタンプ数またはポイントを入力してください。</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="291" />
        <source>Choose the member first.</source>
        <translation>先に会員を選んでください。</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="319" />
        <source>Scan or type the card number.</source>
        <translation>カード番号を読み取るか入力してください。</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="321" />
        <source>Checking the card…</source>
        <translation>カードを確認中…</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="327" />
        <location filename="../../ui/migrate.py" line="439" />
        <source>Card %1</source>
        <translation>カード %1</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="359" />
        <source>%1 stamps × %2 pt</source>
        <translation>スタンプ %1 個 × %2 pt</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="362" />
        <source>Capped at %1 pt per card (the card holds %2 pt)</source>
        <translation>1枚あたり上限 %1 pt（カードの内容は %2 pt）</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="364" />
        <location filename="../../ui/migrate.py" line="440" />
        <source>Points to migrate: %1</source>
        <translation>移行するポイント：%1</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="372" />
        <source>Taking the photo…</source>
        <translation>撮影中…</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="391" />
        <source>Photo taken (%1 KB).</source>
        <translation>撮影しました（%1 KB）。</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="392" />
        <source>Take again</source>
        <translation>撮り直す</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="396" />
        <source>The camera could not take a photo; you can go on without one.</source>
        <translation>カメラで撮影できませんでした。写真なしで続けられます。</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="415" />
        <source>Registering…</source>
        <translation>登録中…</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="435" />
        <source>Member %1 (%2)</source>
        <translation>会員番号 %1（%2）</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="443" />
        <source>Photo: yes</source>
        <translation>写真：あり</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="443" />
        <source>Photo: none</source>
        <translation>写真：なし</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="444" />
        <source>Press Enter to confirm.</source>
        <translation>Enter で確定します。</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="453" />
        <source>Working…</source>
        <translation>処理中…</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="460" />
        <source>Paper card migrated: %1. New balance: %2</source>
        <translation>紙カードを移行しました：%1。ポイント残高：%2</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="463" />
        <source>Not yet confirmed by HQ (未反映): %1</source>
        <translation>未反映：%1</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="482" />
        <source>Already migrated (移行済み): on %1 at store %2, to member %3.</source>
        <translation>移行済みです：%1、店舗 %2、会員番号 %3 に移行されています。</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="486" />
        <source>The card number's check digit is wrong: please check the number.</source>
        <translation>カード番号のチェックデジットが正しくありません。番号を確認してください。</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="487" />
        <source>This does not look like a paper card number.</source>
        <translation>紙のポイントカードの番号ではないようです。</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="488" />
        <source>This is a member code, not a paper card.</source>
        <translation>これは会員コードです。紙のポイントカードではありません。</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="489" />
        <source>This card was cancelled and cannot be migrated.</source>
        <translation>このカードは無効化されているため移行できません。</translation>
    </message>
</context>
<context>
    <name>NewMemberDialog</name>
    <message>
        <location filename="../../ui/member.py" line="35" />
        <location filename="../../ui/member.py" line="39" />
        <source>New member registration</source>
        <translation>新規会員登録</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="49" />
        <source>e.g. ヤマダハナコ</source>
        <translation>例：ヤマダハナコ</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="54" />
        <source>Agrees to receive news and offers</source>
        <translation>お知らせ配信に同意する</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="55" />
        <source>Name kana (required)</source>
        <translation>フリガナ（必須）</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="56" />
        <source>Name (optional)</source>
        <translation>氏名（任意）</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="57" />
        <source>Phone number (optional)</source>
        <translation>電話番号（任意）</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="58" />
        <source>E-mail (optional)</source>
        <translation>メールアドレス（任意）</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="70" />
        <source>The customer can photograph this code; it is their member card.</source>
        <translation>お客様にこのコードを撮影していただくと、それが会員証になります。</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="83" />
        <source>Back (Esc)</source>
        <translation>戻る (Esc)</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="86" />
        <source>Print card</source>
        <translation>会員証を印刷</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="89" />
        <source>Register (Enter)</source>
        <translation>登録 (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="107" />
        <source>Registering…</source>
        <translation>登録中…</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="121" />
        <source>Registered. Member no. %1</source>
        <translation>登録しました。会員番号 %1</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="129" />
        <source>Printing is not set up yet</source>
        <translation>印刷はまだ設定されていません</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="130" />
        <source>Done (Enter)</source>
        <translation>完了 (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/member.py" line="150" />
        <source>Sent to the printer.</source>
        <translation>プリンターに送りました。</translation>
    </message>
</context>
<context>
    <name>NoKeyringDialog</name>
    <message>
        <location filename="../../ui/keystore.py" line="33" />
        <location filename="../../ui/keystore.py" line="37" />
        <source>No OS keyring on this computer</source>
        <translation>このパソコンにはOSキーリングがありません</translation>
    </message>
    <message>
        <location filename="../../ui/keystore.py" line="41" />
        <source>Tsumugi keeps the store's keys (the database key and the signing key) in the OS keyring. This computer has none, or it is locked, so the keys cannot be kept safely.</source>
        <translation>紡ぎは店舗の鍵（データベースの鍵と署名鍵）をOSキーリングに保管します。このパソコンにはキーリングがないか、ロックされているため、鍵を安全に保管できません。</translation>
    </message>
    <message>
        <location filename="../../ui/keystore.py" line="43" />
        <source>What to do: install or unlock a keyring, then start Tsumugi again. On Linux that is GNOME Keyring or KWallet; Windows and macOS have one built in.</source>
        <translation>対処：キーリングを導入するかロックを解除してから、紡ぎをもう一度起動してください。Linux では GNOME Keyring または KWallet です。Windows と macOS には標準で備わっています。</translation>
    </message>
    <message>
        <location filename="../../ui/keystore.py" line="45" />
        <source>Or, knowing it is weaker, keep the keys in a key file in the user data folder, readable only by this user. The status bar and the log will show that it is in use.</source>
        <translation>または、安全性が低いことを承知のうえで、鍵をユーザーデータフォルダーの鍵ファイル（このユーザーだけが読めます）に保管します。使用中はステータスバーとログに表示されます。</translation>
    </message>
    <message>
        <location filename="../../ui/keystore.py" line="55" />
        <source>Quit</source>
        <translation>終了</translation>
    </message>
    <message>
        <location filename="../../ui/keystore.py" line="57" />
        <source>Use a key file (weaker)</source>
        <translation>鍵ファイルを使う（安全性が低い）</translation>
    </message>
</context>
<context>
    <name>NumericKeypad</name>
    <message>
        <location filename="../../ui/keypad.py" line="24" />
        <source>Clear</source>
        <translation>クリア</translation>
    </message>
    <message>
        <location filename="../../ui/keypad.py" line="25" />
        <source>Enter</source>
        <translation>確定</translation>
    </message>
</context>
<context>
    <name>PreviewModel</name>
    <message>
        <location filename="../../ui/legacy_import.py" line="41" />
        <source>Row</source>
        <translation>行</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="41" />
        <source>Name</source>
        <translation>氏名</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="41" />
        <source>Name kana</source>
        <translation>フリガナ</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="41" />
        <source>Phone number</source>
        <translation>電話番号</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="41" />
        <source>E-mail</source>
        <translation>メールアドレス</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="42" />
        <source>Birthday</source>
        <translation>生年月日</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="42" />
        <source>Card number</source>
        <translation>カード番号</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="42" />
        <source>Points</source>
        <translation>ポイント</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="42" />
        <source>Last visit</source>
        <translation>最終来店日</translation>
    </message>
    <message>
        <location filename="../../ui/legacy_import.py" line="44" />
        <source>Problems</source>
        <translation>問題</translation>
    </message>
</context>
<context>
    <name>ProfileDialog</name>
    <message>
        <location filename="../../ui/manager/customers.py" line="337" />
        <source>Customer details</source>
        <translation>顧客詳細</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="351" />
        <source>Marketing consent</source>
        <translation>お知らせ配信の同意</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="353" />
        <source>Name</source>
        <translation>氏名</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="354" />
        <source>Name kana</source>
        <translation>フリガナ</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="355" />
        <source>Phone number</source>
        <translation>電話番号</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="356" />
        <source>E-mail</source>
        <translation>メールアドレス</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="357" />
        <source>Birthday</source>
        <translation>生年月日</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="360" />
        <source>Save changes</source>
        <translation>変更を保存</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="361" />
        <source>Adjust points…</source>
        <translation>ポイント調整…</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="369" />
        <source>Details</source>
        <translation>詳細</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="374" />
        <source>Purchase history</source>
        <translation>購買履歴</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="375" />
        <source>Points and expiry</source>
        <translation>ポイントと有効期限</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="376" />
        <source>Coupons</source>
        <translation>クーポン</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="377" />
        <source>Cards</source>
        <translation>カード</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="385" />
        <source>Points and spend over time</source>
        <translation>ポイントとお買上金額の推移</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="388" />
        <source>Chart</source>
        <translation>グラフ</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="409" />
        <source>Balance: %1 (pending: %2)   Expiring within 30 days: %3</source>
        <translation>ポイント残高：%1（未反映：%2）　30日以内に失効予定：%3</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="422" />
        <source>RFM %1  Churn score %2  %3</source>
        <translation>RFM %1　離反スコア %2　%3</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="424" />
        <source>Registered %1 · Last visit %2 · Lifetime spend %3 · %4 entries</source>
        <translation>登録 %1 · 最終来店 %2 · 累計お買上 %3 · %4件</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="459" />
        <source>Balance (pt)</source>
        <translation>ポイント残高（pt）</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="474" />
        <source>Spend per month (¥)</source>
        <translation>月別お買上金額（円）</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="504" />
        <source>Nothing changed.</source>
        <translation>変更はありません。</translation>
    </message>
    <message>
        <location filename="../../ui/manager/customers.py" line="508" />
        <source>Saved.</source>
        <translation>保存しました。</translation>
    </message>
</context>
<context>
    <name>RedeemDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="228" />
        <source>Redeem points</source>
        <translation>ポイント利用</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="234" />
        <source>Balance: %1</source>
        <translation>ポイント残高：%1</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="236" />
        <source>Bill: %1</source>
        <translation>お会計：%1</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="240" />
        <source>Points to use</source>
        <translation>利用ポイント</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="256" />
        <source>Enter the points to use.</source>
        <translation>利用ポイントを入力してください。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="290" />
        <source>Offline: capped at %1.</source>
        <translation>オフライン：上限は %1 です。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="295" />
        <source>Discount: %1</source>
        <translation>値引き：%1</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="298" />
        <source>Offline: capped at %1 a day; HQ confirms when the network is back.</source>
        <translation>オフライン：1日の上限 %1。ネットワーク復旧後に本部で確定します。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="299" />
        <source>Offline: HQ confirms when the network is back.</source>
        <translation>オフライン：ネットワーク復旧後に本部で確定します。</translation>
    </message>
</context>
<context>
    <name>ReportsModel</name>
    <message>
        <location filename="../../ui/manager/models.py" line="459" />
        <source>Report</source>
        <translation>レポート</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="459" />
        <source>Daily report</source>
        <translation>日報</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="460" />
        <source>Month-end report</source>
        <translation>月次締め</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="461" />
        <source>Period</source>
        <translation>期間</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="462" />
        <source>Generated</source>
        <translation>作成日時</translation>
    </message>
    <message>
        <location filename="../../ui/manager/models.py" line="463" />
        <source>Files</source>
        <translation>ファイル</translation>
    </message>
</context>
<context>
    <name>ReportsWindow</name>
    <message>
        <location filename="../../ui/manager/reports.py" line="38" />
        <source>Daily report</source>
        <translation>日報</translation>
    </message>
    <message>
        <location filename="../../ui/manager/reports.py" line="39" />
        <source>Month-end report</source>
        <translation>月次締め</translation>
    </message>
    <message>
        <location filename="../../ui/manager/reports.py" line="40" />
        <source>Create</source>
        <translation>作成</translation>
    </message>
    <message>
        <location filename="../../ui/manager/reports.py" line="41" />
        <source>Print…</source>
        <translation>印刷…</translation>
    </message>
    <message>
        <location filename="../../ui/manager/reports.py" line="79" />
        <source>Creating…</source>
        <translation>作成中…</translation>
    </message>
    <message>
        <location filename="../../ui/manager/reports.py" line="82" />
        <source>Created.</source>
        <translation>作成しました。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../ui/settings.py" line="64" />
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="80" />
        <location filename="../../ui/settings.py" line="84" />
        <source> min</source>
        <translation> 分</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="89" />
        <source>Store id</source>
        <translation>店舗コード</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="90" />
        <source>Terminal</source>
        <translation>端末</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="91" />
        <source>Void window</source>
        <translation>取消できる時間</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="92" />
        <source>Idle sign-out after</source>
        <translation>自動サインアウトまで</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="93" />
        <source>Language</source>
        <translation>言語</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="94" />
        <source>Store</source>
        <translation>店舗</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="108" />
        <source>e.g. /dev/ttyACM0 or COM3 (empty: none)</source>
        <translation>例：/dev/ttyACM0 や COM3（空欄：なし）</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="109" />
        <source>Sound on a good and a refused scan</source>
        <translation>読み取り成功・エラー時に音を鳴らす</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="111" />
        <source>Max. time between scanner keys</source>
        <translation>スキャナーの文字間隔（最大）</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="112" />
        <source>Shortest scan</source>
        <translation>最短の読み取り文字数</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="113" />
        <source>Scanner prefix</source>
        <translation>スキャナーのプレフィックス</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="114" />
        <source>Scanner suffix</source>
        <translation>スキャナーのサフィックス</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="115" />
        <source>Serial scanner port</source>
        <translation>シリアルスキャナーのポート</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="117" />
        <source>Scanner</source>
        <translation>スキャナー</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="122" />
        <source>0 = first webcam; or a video file / image folder; empty = off</source>
        <translation>0＝最初のWebカメラ、または動画ファイル／画像フォルダー、空欄＝オフ</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="124" />
        <source>e.g. network:192.168.1.50 or file:/tmp/slip.bin</source>
        <translation>例：network:192.168.1.50 や file:/tmp/slip.bin</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="125" />
        <source>Camera</source>
        <translation>カメラ</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="126" />
        <source>Printer</source>
        <translation>プリンター</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="127" />
        <source>Camera and printer</source>
        <translation>カメラとプリンター</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="136" />
        <source>from HQ (python -m hq stores add)</source>
        <translation>本部から受け取ったコード</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="137" />
        <source>Connect to HQ</source>
        <translation>本部に接続</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="142" />
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="143" />
        <source>HQ address</source>
        <translation>本部のアドレス</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="144" />
        <source>One-time code</source>
        <translation>ワンタイムコード</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="148" />
        <source>HQ</source>
        <translation>本部</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="156" />
        <source>Back (Esc)</source>
        <translation>戻る (Esc)</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="158" />
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="168" />
        <source>Connected to HQ: %1</source>
        <translation>本部に接続済み：%1</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="169" />
        <source>Not connected to HQ. The counter works offline.</source>
        <translation>本部に未接続です。カウンター業務はオフラインで行えます。</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="175" />
        <source>Enter HQ's address and the one-time code.</source>
        <translation>本部のアドレスとワンタイムコードを入力してください。</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="180" />
        <source>Connecting to HQ…</source>
        <translation>本部に接続中…</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="187" />
        <source>Connected. Sync with HQ starts now.</source>
        <translation>接続しました。本部との同期を開始します。</translation>
    </message>
</context>
<context>
    <name>SignInScreen</name>
    <message>
        <location filename="../../ui/signin.py" line="26" />
        <source>Staff sign-in</source>
        <translation>担当者サインイン</translation>
    </message>
    <message>
        <location filename="../../ui/signin.py" line="30" />
        <source>Store %1 / terminal %2</source>
        <translation>店舗 %1 ／ 端末 %2</translation>
    </message>
    <message>
        <location filename="../../ui/signin.py" line="43" />
        <source>Staff number</source>
        <translation>担当者番号</translation>
    </message>
    <message>
        <location filename="../../ui/signin.py" line="44" />
        <source>PIN</source>
        <translation>暗証番号</translation>
    </message>
    <message>
        <location filename="../../ui/signin.py" line="53" />
        <source>Sign in</source>
        <translation>サインイン</translation>
    </message>
    <message>
        <location filename="../../ui/signin.py" line="80" />
        <source>Enter your staff number and PIN.</source>
        <translation>担当者番号と暗証番号を入力してください。</translation>
    </message>
    <message>
        <location filename="../../ui/signin.py" line="84" />
        <source>Checking…</source>
        <translation>確認中…</translation>
    </message>
</context>
<context>
    <name>SuggestionModel</name>
    <message>
        <location filename="../../ui/migrate.py" line="74" />
        <source>Member number</source>
        <translation>会員番号</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="75" />
        <source>Name kana</source>
        <translation>フリガナ</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="76" />
        <source>Phone number</source>
        <translation>電話番号</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="77" />
        <source>Match</source>
        <translation>一致</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="72" />
        <source>same phone</source>
        <translation>電話番号が同じ</translation>
    </message>
    <message>
        <location filename="../../ui/migrate.py" line="72" />
        <source>same kana and birthday</source>
        <translation>フリガナと生年月日が同じ</translation>
    </message>
</context>
<context>
    <name>SyncHealthPanel</name>
    <message>
        <location filename="../../ui/manager/window.py" line="24" />
        <source>Not connected to HQ yet</source>
        <translation>本部に未接続</translation>
    </message>
    <message>
        <location filename="../../ui/manager/window.py" line="30" />
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <location filename="../../ui/manager/window.py" line="31" />
        <source>Unsent</source>
        <translation>未送信</translation>
    </message>
    <message>
        <location filename="../../ui/manager/window.py" line="32" />
        <source>Last sync</source>
        <translation>最終同期</translation>
    </message>
    <message>
        <location filename="../../ui/manager/window.py" line="33" />
        <source>Last error</source>
        <translation>直近のエラー</translation>
    </message>
    <message>
        <location filename="../../ui/manager/window.py" line="36" />
        <source>Online</source>
        <translation>オンライン</translation>
    </message>
    <message>
        <location filename="../../ui/manager/window.py" line="36" />
        <source>Offline</source>
        <translation>オフライン</translation>
    </message>
</context>
<context>
    <name>Texts</name>
    <message>
        <location filename="../../ui/texts.py" line="27" />
        <source>Wrong staff number or PIN.</source>
        <translation>担当者番号または暗証番号が違います。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="28" />
        <source>Too many wrong PINs: this staff number is locked for a while. Ask a manager.</source>
        <translation>暗証番号の誤りが多すぎるため、この担当者番号はしばらくロックされています。店長に連絡してください。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="29" />
        <source>There is no staff member with this number.</source>
        <translation>この番号の担当者はいません。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="30" />
        <source>Only a store manager may do this.</source>
        <translation>この操作は店長のみ行えます。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="31" />
        <source>A PIN is 4 to 8 digits.</source>
        <translation>暗証番号は4〜8桁の数字です。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="32" />
        <source>Please enter a name.</source>
        <translation>氏名を入力してください。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="33" />
        <source>The first staff member must be a manager.</source>
        <translation>最初の担当者は店長である必要があります。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="34" />
        <source>A store id is letters and digits, e.g. S001.</source>
        <translation>店舗コードは英数字です（例：S001）。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="35" />
        <source>This database already belongs to another store.</source>
        <translation>このデータベースは別の店舗のものです。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="36" />
        <source>This store is not set up yet.</source>
        <translation>この店舗はまだ設定されていません。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="37" />
        <source>This computer has no OS keyring, so keys cannot be kept safely.</source>
        <translation>このパソコンにはOSキーリングがないため、鍵を安全に保管できません。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="38" />
        <source>The key file can be read by other users; restrict it (chmod 600).</source>
        <translation>鍵ファイルが他のユーザーから読める状態です。権限を制限してください（chmod 600）。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="40" />
        <source>Nothing was read.</source>
        <translation>何も読み取れませんでした。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="41" />
        <source>This is not a member card.</source>
        <translation>会員証ではありません。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="42" />
        <source>The member code was read only in part. Please scan again.</source>
        <translation>会員コードの一部しか読み取れませんでした。もう一度読み取ってください。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="43" />
        <location filename="../../ui/texts.py" line="44" />
        <source>This member code is not genuine (damaged or altered).</source>
        <translation>この会員コードは正しくありません（破損または改ざん）。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="45" />
        <source>This member code was issued by a store this terminal does not know yet.</source>
        <translation>この会員コードは、この端末がまだ知らない店舗で発行されたものです。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="46" />
        <source>This member card was replaced by a newer one; ask for the new card.</source>
        <translation>この会員証は新しいものに切り替わっています。新しい会員証をお願いしてください。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="47" />
        <source>No member has this number or card.</source>
        <translation>この番号・カードの会員は見つかりません。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="48" />
        <source>No such member.</source>
        <translation>該当する会員がいません。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="49" />
        <source>This member's data was deleted at their request.</source>
        <translation>この会員のデータはご本人の依頼により削除されています。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="50" />
        <source>This member has no active member card.</source>
        <translation>この会員には有効な会員証がありません。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="51" />
        <source>The signing key for this card is not on this computer.</source>
        <translation>この会員証の署名鍵がこのパソコンにありません。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="52" />
        <source>Name kana must be written in kana.</source>
        <translation>フリガナはカナで入力してください。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="53" />
        <source>That phone number does not look right (10 or 11 digits, starting with 0).</source>
        <translation>電話番号が正しくないようです（0から始まる10桁または11桁）。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="54" />
        <source>That e-mail address does not look right.</source>
        <translation>メールアドレスが正しくないようです。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="55" />
        <source>That birthday is not a real date.</source>
        <translation>生年月日が正しい日付ではありません。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="57" />
        <source>Please enter a whole number.</source>
        <translation>整数を入力してください。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="58" />
        <source>That number is out of range.</source>
        <translation>数値が範囲外です。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="59" />
        <source>Not enough points.</source>
        <translation>ポイントが足りません。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="60" />
        <source>That is below the minimum number of points that can be used.</source>
        <translation>利用できる最小ポイント数を下回っています。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="61" />
        <source>Points can only be used in the allowed units.</source>
        <translation>ポイントは決められた単位でのみ利用できます。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="62" />
        <source>That is more points than this bill allows.</source>
        <translation>このお会計で利用できるポイントを超えています。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="63" />
        <source>This action was already done with different details.</source>
        <translation>この操作は別の内容ですでに行われています。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="64" />
        <source>The time allowed to void has passed; ask a manager.</source>
        <translation>取消できる時間を過ぎています。店長に連絡してください。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="65" />
        <source>This was already voided.</source>
        <translation>すでに取消済みです。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="66" />
        <source>A void cannot itself be voided.</source>
        <translation>取消をさらに取消すことはできません。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="67" />
        <source>This entry cannot be voided.</source>
        <translation>この操作は取消できません。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="68" />
        <source>Only the store that made an entry can void it.</source>
        <translation>取消できるのは、その操作を行った店舗だけです。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="69" />
        <source>Points from this entry were already used; void the redemption first.</source>
        <translation>この操作のポイントはすでに使われています。先にポイント利用を取消してください。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="70" />
        <source>There is nothing to void.</source>
        <translation>取消できる操作はありません。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="71" />
        <source>HQ refused this entry and its points were already taken back; there is nothing left to void.</source>
        <translation>本部がこの取引を受け付けなかったため、そのポイントはすでに差し引き済みです。取消は不要です。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="73" />
        <source>This coupon was already used.</source>
        <translation>このクーポンは使用済みです。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="74" />
        <source>This coupon has expired.</source>
        <translation>このクーポンは有効期限切れです。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="75" />
        <source>No such coupon.</source>
        <translation>該当するクーポンがありません。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="76" />
        <source>No such entry.</source>
        <translation>該当する操作がありません。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="78" />
        <source>Offline, at most %1 pt a day can be used per member; %2 pt remain today.</source>
        <translation>オフライン中は1人1日 %1 pt までご利用いただけます。本日の残りは %2 pt です。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="82" />
        <source>HQ could not be reached. Check the network and try again.</source>
        <translation>本部に接続できません。ネットワークを確認して、もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="84" />
        <source>HQ's certificate has expired. Ask HQ's administrator to renew it.</source>
        <translation>本部の証明書の有効期限が切れています。本部の管理者に更新を依頼してください。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="85" />
        <source>HQ's certificate is for another address. Check the HQ address in Settings.</source>
        <translation>本部の証明書が別のアドレス用です。設定の本部アドレスを確認してください。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="86" />
        <source>HQ's certificate is not from an authority this computer trusts. Ask HQ's administrator.</source>
        <translation>本部の証明書はこのパソコンが信頼する認証局のものではありません。本部の管理者に確認してください。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="88" />
        <source>HQ does not offer a secure enough connection (TLS 1.2 or newer).</source>
        <translation>本部が十分に安全な接続（TLS 1.2 以上）に対応していません。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="89" />
        <source>The secure connection to HQ failed.</source>
        <translation>本部との安全な接続に失敗しました。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="90" />
        <source>This store is not connected to HQ yet (Settings → HQ).</source>
        <translation>この店舗はまだ本部に接続されていません（設定 → 本部）。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="91" />
        <source>Another sync is already running for this store.</source>
        <translation>この店舗の同期はすでに実行中です。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="92" />
        <source>HQ is busy; it will be tried again shortly.</source>
        <translation>本部が混み合っています。まもなく再試行します。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="93" />
        <source>HQ's answer could not be read (is something else answering at HQ's address?). Sync will try again.</source>
        <translation>本部からの応答を読み取れませんでした（本部のアドレスで別のものが応答していませんか）。同期は自動で再試行します。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="95" />
        <source>This computer's date and time are wrong, so HQ refuses its sync. Set them; sync goes on by itself.</source>
        <translation>このパソコンの日付・時刻が正しくないため、本部が同期を受け付けません。日付・時刻を合わせると自動で再開します。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="102" />
        <source>The database is busy. Press Enter to try again.</source>
        <translation>データベースが使用中です。Enter でもう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="105" />
        <source>Something went wrong: %1</source>
        <translation>問題が発生しました：%1</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="111" />
        <source>The printer did not respond: %1</source>
        <translation>プリンターが応答しません：%1</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="115" />
        <source>Points earned</source>
        <translation>ポイント付与</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="116" />
        <source>Points used</source>
        <translation>ポイント利用</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="117" />
        <source>Void</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="118" />
        <source>Adjustment</source>
        <translation>ポイント調整</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="119" />
        <source>Coupon used</source>
        <translation>クーポン利用</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="120" />
        <source>Expired</source>
        <translation>失効</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="121" />
        <source>Paper card migrated</source>
        <translation>紙カード移行</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="131" />
        <source>Base points: %1</source>
        <translation>基本ポイント：%1</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="133" />
        <source>Campaign %1 %2: %3</source>
        <translation>キャンペーン %1 %2：%3</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="136" />
        <source>Tier %1 %2: %3</source>
        <translation>会員ランク %1 %2：%3</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="139" />
        <source>Fractions rounded down</source>
        <translation>端数切り捨て</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="141" />
        <source>Bonus %1: %2</source>
        <translation>ボーナス %1：%2</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="143" />
        <source>Coupon %1: %2</source>
        <translation>クーポン %1：%2</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="145" />
        <source>Points used: %1</source>
        <translation>利用ポイント：%1</translation>
    </message>
</context>
<context>
    <name>VoidDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="339" />
        <source>Void the last action</source>
        <translation>直前の操作の取消</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="341" />
        <source>Looking for the last action…</source>
        <translation>直前の操作を確認中…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="360" />
        <source>There is nothing to void.</source>
        <translation>取消できる操作はありません。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="363" />
        <source>%1 of %2 for member %3 at %4</source>
        <translation>%1 %2（会員番号 %3、%4）</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="371" />
        <source>Press Enter to void it.</source>
        <translation>Enter で取消します。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="384" />
        <source>Voided. New balance: %1</source>
        <translation>取消しました。ポイント残高：%1</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="386" />
        <source>The paper card migration is cancelled: the card can be migrated again.</source>
        <translation>紙カードの移行を取り消しました。このカードは再度移行できます。</translation>
    </message>
</context>
<context>
    <name>w</name>
    <message>
        <location filename="../../ui/settings.py" line="36" />
        <source>This computer has no OS keyring, so the HQ credential cannot be kept safely. Install or unlock a keyring (GNOME Keyring, Windows Credential Locker, macOS Keychain) and try again. Nothing was sent.</source>
        <translation>このパソコンにはOSキーリングがないため、本部の認証情報を安全に保管できません。キーリング（GNOME Keyring、Windows 資格情報マネージャー、macOS キーチェーン）を用意してから、もう一度お試しください。何も送信していません。</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="42" />
        <source>HQ refused the code: it is wrong, already used or expired. Ask HQ for a new one-time code.</source>
        <translation>本部がコードを受け付けませんでした（誤り・使用済み・期限切れ）。本部に新しいワンタイムコードを依頼してください。</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="44" />
        <source>HQ refused the connection (%1).</source>
        <translation>本部が接続を拒否しました（%1）。</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="46" />
        <source>Something answered at this address, but not as HQ does. Check the address, then try again.</source>
        <translation>このアドレスで応答がありましたが、本部の応答ではありません。アドレスを確認して、もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="48" />
        <source>HQ could not be reached at this address. Check the address and the network, then try again. The counter keeps working offline.</source>
        <translation>このアドレスで本部に接続できません。アドレスとネットワークを確認して、もう一度お試しください。カウンター業務はオフラインで続けられます。</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="51" />
        <source>This store is not set up yet.</source>
        <translation>この店舗はまだ設定されていません。</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="53" />
        <source>This is not an HQ address. Use https://… (plain http only to this computer).</source>
        <translation>本部のアドレスではありません。https://… で入力してください（http はこのパソコン内のみ）。</translation>
    </message>
</context>
</TS>